"""Helpers shared by every test folder: real server processes and the usual bedside records.

Importable as `support` from any test (tests/ is on pytest's path through the
root conftest.py).
"""
