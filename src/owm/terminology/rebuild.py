"""Rebuild `clinical/data/cdc-opioid-cds.json` from a checkout of cqframework/opioid-cds-r4.

Why a generated file: the CDC opioid guideline's value sets (CC0 1.0) are the
best public list of the RxNorm clinical drugs that contain an opioid, a
benzodiazepine or a barbiturate. owm keeps only what it reads (code, display and
the owm medication class each set stands for) with where it came from, so that a
reviewer can see every code and a later release of the value sets can be taken
in by one command:

    scripts/rebuild-terminology DIR            # DIR: a checkout of opioid-cds-r4
    python -m owm.terminology.rebuild --from DIR [--commit SHA] [--out FILE]

The selection (which value set stands for which owm class) is `SELECTION` below;
the hand-curated classes without a public value set live in
`clinical/data/curated-ingredients.json` and are not touched by this command.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["SELECTION", "RebuildError", "Selected", "build", "dump", "main"]

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
REPOSITORY = "https://github.com/cqframework/opioid-cds-r4"
DEFAULT_OUT = Path(__file__).parents[1] / "clinical" / "data" / "cdc-opioid-cds.json"


@dataclass(frozen=True)
class Selected:
    """One source file and the owm class its concepts stand for.

    `only` keeps just the concepts whose display names one of these ingredient
    words (for a mixed set such as the CDC's CNS depressants), each with its own class.
    """

    path: str
    owm_class: str | None
    only: tuple[tuple[str, str], ...] = ()


VALUESETS = "input/vocabulary/valueset/"

SELECTION: tuple[Selected, ...] = (
    Selected(VALUESETS + "benzodiazepine-medications.json", "benzodiazepine"),
    Selected(VALUESETS + "barbiturate-medications.json", "barbiturate"),
    Selected(VALUESETS + "opioid-analgesics-with-ambulatory-misuse-potential.json", "opioid"),
    Selected(VALUESETS + "extended-release-opioid-with-ambulatory-misuse-potential.json", "opioid"),
    Selected(VALUESETS + "buprenorphine-and-methadone-medications.json", "opioid"),
    Selected(VALUESETS + "buprenorphine-medications.json", "opioid"),
    Selected(VALUESETS + "methadone-medications.json", "opioid"),
    Selected(VALUESETS + "fentanyl-type-medications.json", "opioid"),
    Selected(VALUESETS + "oxycodone-medications.json", "opioid"),
    Selected(VALUESETS + "synthetic-opioid-medications.json", "opioid"),
    Selected(VALUESETS + "non-synthetic-opioid-medications.json", "opioid"),
    # The CDC's "CNS depressant" set mixes hypnotics with anaesthetic gases and
    # stimulants (phentermine, benzphetamine); only the ingredients that belong to
    # an owm class are taken, each into its own class.
    Selected(
        VALUESETS + "cns-depressant-medications.json",
        None,
        only=(
            ("zolpidem", "z-drug"),
            ("zaleplon", "z-drug"),
            ("meclizine", "sedating-antihistamine"),
            ("dexmedetomidine", "alpha2-agonist"),
        ),
    ),
    # Opioid Management Terminology Knowledge: every opioid-containing clinical
    # drug RxNav gave for the CDC's MME calculator, with its opioid ingredient.
    Selected("input/cql/OMTKData.cql", "opioid"),
)


class RebuildError(Exception):
    """The source folder is not what the rebuild expects; the message says what is missing."""


def _git_commit(folder: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and re.fullmatch(r"[0-9a-f]{40}", commit) else None


def _valueset_concepts(document: Any, path: str) -> list[dict[str, str]]:
    if not isinstance(document, dict) or document.get("resourceType") != "ValueSet":
        raise RebuildError(f"{path}: not a FHIR ValueSet resource")
    contains = document.get("expansion", {}).get("contains")
    if not isinstance(contains, list):
        raise RebuildError(f"{path}: the ValueSet has no expansion.contains list")
    concepts = []
    for entry in contains:
        if entry.get("system") != RXNORM:
            raise RebuildError(
                f"{path}: concept {entry.get('code')!r} is in {entry.get('system')!r}; "
                f"only RxNorm ({RXNORM}) is expected"
            )
        concepts.append({"code": str(entry["code"]), "display": str(entry.get("display", ""))})
    return concepts


_OMTK_ROW = re.compile(
    r"drugCode: (\d+), drugName: '((?:[^'\\]|\\.)*)', doseFormCode: \d+, doseFormName: '[^']*', "
    r"ingredientCode: (\d+), ingredientName: '([^']*)'"
)


def _omtk_concepts(text: str, path: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    drugs: dict[str, str] = {}
    ingredients: dict[str, str] = {}
    for code, name, ingredient_code, ingredient_name in _OMTK_ROW.findall(text):
        drugs[code] = name.replace("\\'", "'")
        ingredients[ingredient_code] = ingredient_name.lower()
    if not drugs:
        raise RebuildError(f"{path}: no DrugIngredients rows found")
    return (
        [{"code": c, "display": d} for c, d in drugs.items()],
        [{"code": c, "display": d} for c, d in sorted(ingredients.items(), key=lambda i: i[1])],
    )


def build(source: Path, *, commit: str | None = None) -> dict[str, Any]:
    """The data document from a checkout of opioid-cds-r4 at `source`."""
    if not (source / VALUESETS).is_dir():
        raise RebuildError(
            f"{source}: no {VALUESETS} folder; give the root of a cqframework/opioid-cds-r4 checkout"
        )
    commit = commit or _git_commit(source)
    if commit is None:
        raise RebuildError(f"{source} is not a git checkout; say which commit it is with --commit")
    sets: list[dict[str, Any]] = []
    for selected in SELECTION:
        file = source / selected.path
        if not file.is_file():
            raise RebuildError(f"{file}: missing from the source folder")
        text = file.read_text(encoding="utf-8")
        entry: dict[str, Any] = {"path": selected.path}
        if selected.path.endswith(".cql"):
            concepts, ingredients = _omtk_concepts(text, selected.path)
            entry |= {"title": "OMTKData DrugIngredients (opioid ingredients, from RxNav)"}
            entry["ingredients"] = ingredients
        else:
            document = json.loads(text)
            concepts = _valueset_concepts(document, selected.path)
            entry |= {
                "url": document.get("url"),
                "title": document.get("title") or document.get("name"),
                "expansion_timestamp": document.get("expansion", {}).get("timestamp"),
                "copyright": document.get("copyright"),
            }
        if selected.only:
            groups = []
            for word, owm_class in selected.only:
                pattern = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
                kept = [c for c in concepts if pattern.search(c["display"])]
                groups.append({"class": owm_class, "ingredient": word, "concepts": kept})
            entry["groups"] = groups
        else:
            entry["class"] = selected.owm_class
            entry["concepts"] = sorted(concepts, key=lambda c: int(c["code"]))
        sets.append(entry)
    licence_file = source / "LICENSE.md"
    licence_text = licence_file.read_text(encoding="utf-8") if licence_file.is_file() else ""
    if "CC0" not in licence_text and "CREATIVE COMMONS" not in licence_text.upper():
        raise RebuildError(f"{licence_file}: no CC0 licence found; check the licence before use")
    return {
        "format": "owm-terminology-source/1",
        "source": {
            "repository": REPOSITORY,
            "commit": commit,
            "licence": "CC0-1.0 (LICENSE.md of the repository)",
            "publisher": "Centers for Disease Control and Prevention (CDC) opioid guideline CDS content",
            "attribution": (
                "This product uses publicly available data courtesy of the U.S. National Library "
                "of Medicine (NLM), National Institutes of Health, Department of Health and Human "
                "Services; NLM is not responsible for the product and does not endorse or "
                "recommend this or any other product."
            ),
        },
        "rebuild": "scripts/rebuild-terminology DIR (DIR: a checkout of cqframework/opioid-cds-r4)",
        "sets": sets,
    }


def dump(document: dict[str, Any]) -> str:
    """JSON with one concept per line, so that a rebuild's diff reads code by code."""
    text = json.dumps(document, indent=1, ensure_ascii=False)
    one_line = re.compile(
        r'\{\n\s*("code": "[^"]*"),\n\s*("display": (?:"(?:[^"\\]|\\.)*")?)\n\s*\}'
    )
    return one_line.sub(lambda m: "{" + m.group(1) + ", " + m.group(2) + "}", text) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m owm.terminology.rebuild", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--from", dest="source", required=True, type=Path)
    parser.add_argument("--commit", help="the source commit, when DIR is not a git checkout")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        document = build(args.source, commit=args.commit)
    except (RebuildError, json.JSONDecodeError) as error:
        sys.stderr.write(f"rebuild failed: {error}\n")
        return 2
    args.out.write_text(dump(document), encoding="utf-8")
    count = sum(
        len(s.get("concepts", [])) + sum(len(g["concepts"]) for g in s.get("groups", []))
        for s in document["sets"]
    )
    sys.stdout.write(f"wrote {args.out}: {len(document['sets'])} sets, {count} concepts\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
