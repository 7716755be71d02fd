"""Medicine classification: RxNorm codes and names to owm's medication classes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from owm.clinical.medicines import DATA, Terminology, terminology
from owm.clinical.state import MEDICATION_CLASSES
from owm.terminology import CLASSES, classify, ingredient_name, is_clonazepam
from owm.terminology.rebuild import SELECTION, RebuildError, build, dump
from support.data import CONFORMANCE

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"


def test_the_classes_are_those_of_the_state_format_less_other() -> None:
    assert set(CLASSES) == set(MEDICATION_CLASSES) - {"other"}


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1298088", {"benzodiazepine"}),  # flurazepam 15 mg capsule (conformance cases)
        ("1049502", {"opioid"}),  # oxycodone 12 h ER 10 mg tablet (conformance cases)
        ("2598", {"benzodiazepine"}),  # clonazepam ingredient (clinical spec 6)
        ("2599", {"alpha2-agonist"}),  # clonidine ingredient (clinical spec 6)
        ("6813", {"opioid"}),  # methadone ingredient
        ("1819", {"opioid"}),  # buprenorphine ingredient
        ("25480", {"gabapentinoid"}),
        ("39993", {"z-drug"}),
    ],
)
def test_codes_classify(code: str, expected: set[str]) -> None:
    assert classify(rxnorm=code) == expected


@pytest.mark.parametrize(
    "code", ["2598", "197527", "197528", "197529", "349194", "349195", "349198", "349196", "349197"]
)
def test_the_clinical_specs_clonazepam_codes_are_clonazepam(code: str) -> None:
    assert is_clonazepam(rxnorm=code)
    assert classify(rxnorm=code) == {"benzodiazepine"}
    assert ingredient_name(rxnorm=code) == "clonazepam"


def test_other_benzodiazepines_are_not_clonazepam() -> None:
    assert not is_clonazepam(rxnorm="1298088")
    assert not is_clonazepam(name="diazepam 5 mg")
    assert not is_clonazepam()
    assert is_clonazepam(name="Klonopin 0.5 MG Oral Tablet")
    assert is_clonazepam(name="CLONAZEPAM")


def _conformance_medicines() -> list[tuple[str, str]]:
    if not CONFORMANCE.is_dir():
        pytest.fail(f"conformance cases not found at {CONFORMANCE}")
    found: set[tuple[str, str]] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if node.get("system") == RXNORM and "code" in node:
                found.add((str(node["code"]), str(node.get("display", ""))))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted(CONFORMANCE.glob("request-*.json")):
        walk(json.loads(path.read_text(encoding="utf-8")))
    assert found, "no RxNorm codings in the conformance requests"
    return sorted(found)


def test_every_conformance_medicine_is_classified_by_code_and_by_name() -> None:
    for code, display in _conformance_medicines():
        by_code = classify(rxnorm=code)
        assert by_code & {"opioid", "benzodiazepine"}, (code, display)
        assert classify(name=display) == by_code, (code, display)


@pytest.mark.parametrize(
    ("name", "expected", "ingredient"),
    [
        ("methadone", {"opioid"}, "methadone"),
        ("Methadone 1mg/ml oral solution", {"opioid"}, "methadone"),
        ("buprenorphine/naloxone 8/2 mg", {"opioid"}, "buprenorphine"),
        ("Suboxone", {"opioid"}, "buprenorphine"),
        ("Percocet 5/325", {"opioid"}, "oxycodone"),
        ("co-codamol 30/500", {"opioid"}, "codeine"),
        ("pethidine", {"opioid"}, "meperidine"),
        ("diamorphine", {"opioid"}, "heroin"),
        ("Tylenol with Codeine #3", {"opioid"}, "codeine"),
        ("DIAZEPAM 5 MG", {"benzodiazepine"}, "diazepam"),
        ("Xanax", {"benzodiazepine"}, "alprazolam"),
        ("pregabalin 75 mg", {"gabapentinoid"}, "pregabalin"),
        ("Zopiclone 7.5mg", {"z-drug"}, "zopiclone"),
        ("baclofen", {"muscle-relaxant"}, "baclofen"),
        ("tizanidine", {"muscle-relaxant", "alpha2-agonist"}, "tizanidine"),
        ("chlorphenamine", {"sedating-antihistamine"}, "chlorpheniramine"),
        ("hydroxyzine 25 mg", {"sedating-antihistamine"}, "hydroxyzine"),
        ("quetiapine", {"antipsychotic"}, "quetiapine"),
        ("phenobarbital", {"barbiturate", "cyp3a-inducer"}, "phenobarbital"),
        ("lofexidine", {"alpha2-agonist"}, "lofexidine"),
        ("clarithromycin 500 mg", {"cyp3a-inhibitor"}, "clarithromycin"),
        ("nirmatrelvir / ritonavir", {"cyp3a-inhibitor"}, "ritonavir"),
        ("carbamazepine", {"cyp3a-inducer"}, "carbamazepine"),
        ("St. John's Wort", {"cyp3a-inducer"}, "st john's wort"),
        ("rifampicin", {"cyp3a-inducer"}, "rifampin"),
        ("oxycodone + clarithromycin", {"opioid", "cyp3a-inhibitor"}, "oxycodone"),
    ],
)
def test_names_classify_case_insensitively_by_ingredient_synonym_and_brand(
    name: str, expected: set[str], ingredient: str
) -> None:
    assert classify(name=name) == expected
    assert ingredient_name(name=name) == ingredient


@pytest.mark.parametrize(
    "name",
    ["Tylenol", "paracetamol 1 g", "loperamide", "ondansetron", "prednisolone", "", "benzo"],
)
def test_medicines_in_no_class_have_none(name: str) -> None:
    assert classify(name=name) == frozenset()


def test_companion_medicines_without_a_class_still_have_an_ingredient_name() -> None:
    assert ingredient_name(name="Paracetamol 500mg tablets") == "paracetamol"
    assert ingredient_name(name="acetaminophen") == "paracetamol"
    assert ingredient_name(name="Loperamide 2 mg") == "loperamide"
    assert ingredient_name(name="something new") is None


def test_words_are_matched_whole() -> None:
    assert classify(name="dihydrocodeine") == {"opioid"}
    assert ingredient_name(name="dihydrocodeine") == "dihydrocodeine"
    assert ingredient_name(name="hydromorphone") == "hydromorphone"
    assert classify(name="codeinex") == frozenset()


def test_the_code_comes_first_and_the_name_is_the_fallback() -> None:
    assert classify(rxnorm="1298088", name="oxycodone") == {"benzodiazepine"}
    assert ingredient_name(rxnorm="1298088", name="oxycodone") == "flurazepam"
    assert classify(rxnorm="99999999", name="oxycodone") == {"opioid"}
    assert classify(rxnorm=" 1049502 ") == {"opioid"}
    assert classify(rxnorm="99999999") == frozenset()
    assert classify() == frozenset()


def test_a_combination_product_has_the_classes_of_all_its_ingredients() -> None:
    # butalbital / acetaminophen / caffeine / codeine capsules (CDC barbiturate and opioid sets)
    table = terminology()
    combos = [
        c
        for c in table.concepts.values()
        if "butalbital" in c.ingredients and "codeine" in c.ingredients
    ]
    assert combos
    for concept in combos:
        assert classify(rxnorm=concept.code) == {"barbiturate", "opioid"}
        assert ingredient_name(rxnorm=concept.code) == "butalbital"


def test_every_value_set_drug_classifies_by_its_display_name_as_by_its_code() -> None:
    table = terminology()
    assert len(table.concepts) > 1000
    for concept in table.concepts.values():
        assert concept.ingredients, concept
        assert classify(name=concept.display) >= classify(rxnorm=concept.code), concept


def test_methadone_and_buprenorphine_products_are_opioids() -> None:
    table = terminology()
    for concept in table.concepts.values():
        if {"methadone", "buprenorphine"} & set(concept.ingredients):
            assert "opioid" in concept.classes, concept


def test_every_class_has_members() -> None:
    table = terminology()
    for owm_class in CLASSES:
        assert any(owm_class in i.classes for i in table.ingredients.values()), owm_class


def test_the_data_says_where_it_came_from() -> None:
    source = json.loads((DATA / "cdc-opioid-cds.json").read_text(encoding="utf-8"))
    assert source["source"]["repository"] == "https://github.com/cqframework/opioid-cds-r4"
    assert len(source["source"]["commit"]) == 40
    assert "CC0" in source["source"]["licence"]
    assert [s["path"] for s in source["sets"]] == [s.path for s in SELECTION]
    curated = json.loads((DATA / "curated-ingredients.json").read_text(encoding="utf-8"))
    assert curated["curated"] is True
    for ingredient in curated["ingredients"]:
        assert ingredient["source"] in curated["sources"], ingredient
        assert ingredient.get("rxcui_source", ingredient["source"]) in curated["sources"]
        assert set(ingredient["classes"]) <= set(CLASSES), ingredient
    names = [i["name"] for i in curated["ingredients"]]
    assert len(names) == len(set(names))
    codes = [i["rxcui"] for i in curated["ingredients"] if "rxcui" in i]
    assert len(codes) == len(set(codes))


def _fixture_checkout(root: Path) -> None:
    folder = root / "input" / "vocabulary" / "valueset"
    folder.mkdir(parents=True)
    (root / "input" / "cql").mkdir()
    (root / "LICENSE.md").write_text("CC0 1.0 Universal\n", encoding="utf-8")

    def valueset(name: str, concepts: list[tuple[str, str]]) -> None:
        document = {
            "resourceType": "ValueSet",
            "url": f"http://example.org/ValueSet/{name}",
            "name": name,
            "expansion": {
                "timestamp": "2025-01-01T00:00:00Z",
                "contains": [{"system": RXNORM, "code": c, "display": d} for c, d in concepts],
            },
        }
        (folder / f"{name}.json").write_text(json.dumps(document), encoding="utf-8")

    for selected in SELECTION:
        if selected.path.endswith(".json"):
            valueset(Path(selected.path).stem, [])
    valueset("benzodiazepine-medications", [("2", "newazepam 1 MG Oral Tablet [Newbrand]")])
    valueset(
        "cns-depressant-medications",
        [("3", "zolpidem tartrate 5 MG Oral Tablet"), ("4", "phentermine 8 MG Oral Tablet")],
    )
    (root / "input" / "cql" / "OMTKData.cql").write_text(
        "define DrugIngredients:\n{\n  { drugCode: 5, drugName: 'oxycodone 5 MG Oral Tablet', "
        "doseFormCode: 1, doseFormName: 'Oral Tablet', ingredientCode: 7804, "
        "ingredientName: 'Oxycodone', strength: '5 MG' }\n}\n",
        encoding="utf-8",
    )


def test_rebuild_reads_a_checkout_and_the_result_loads(tmp_path: Path) -> None:
    _fixture_checkout(tmp_path)
    document = build(tmp_path, commit="a" * 40)
    assert document["source"]["commit"] == "a" * 40
    text = dump(document)
    assert '{"code": "2", "display": "newazepam 1 MG Oral Tablet [Newbrand]"}' in text
    reloaded = json.loads(text)
    by_path = {s["path"]: s for s in reloaded["sets"]}
    cns = by_path["input/vocabulary/valueset/cns-depressant-medications.json"]
    zolpidem = next(g for g in cns["groups"] if g["ingredient"] == "zolpidem")
    assert zolpidem["concepts"] == [{"code": "3", "display": "zolpidem tartrate 5 MG Oral Tablet"}]
    assert all(g["concepts"] == [] for g in cns["groups"] if g["ingredient"] != "zolpidem")
    curated = json.loads((DATA / "curated-ingredients.json").read_text(encoding="utf-8"))
    table = Terminology(reloaded, curated)
    assert table.classify("2", None) == {"benzodiazepine"}
    assert table.classify("3", None) == {"z-drug"}
    assert table.classify("4", None) == frozenset()
    assert table.classify("5", None) == {"opioid"}
    assert table.classify(None, "Newbrand") == frozenset()  # brand of no known ingredient


def test_rebuild_refuses_a_folder_that_is_not_a_checkout(tmp_path: Path) -> None:
    with pytest.raises(RebuildError, match="no input/vocabulary/valueset/ folder"):
        build(tmp_path, commit="a" * 40)
    _fixture_checkout(tmp_path)
    with pytest.raises(RebuildError, match="--commit"):
        build(tmp_path)


def _rebuild(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "owm.terminology.rebuild", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_rebuild_command_writes_the_file_and_exits_2_on_bad_input(tmp_path: Path) -> None:
    _fixture_checkout(tmp_path / "src")
    out = tmp_path / "out.json"
    done = _rebuild("--from", str(tmp_path / "src"), "--commit", "b" * 40, "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["source"]["commit"] == "b" * 40
    bad = _rebuild("--from", str(tmp_path / "nowhere"), "--out", str(out))
    assert bad.returncode == 2
    assert "rebuild failed" in bad.stderr
