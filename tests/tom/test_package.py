"""``import activeq.tom`` stays light (no httpx/transformers/torch), and the prompts ship as package data."""

import subprocess
import sys


def test_import_is_light():
    code = ("import sys, activeq.tom, activeq.tom.partners.base, activeq.tom.backends; "
            "heavy = [m for m in ('transformers', 'httpx', 'tokenizers') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.stdout.strip() == "[]", out.stderr


def test_prompts_are_package_data():
    from importlib import resources

    names = {p.name for p in (resources.files("activeq.tom") / "prompts").iterdir()}
    assert {"plain.txt", "qa.txt", "cot.txt", "social.txt", "oracle.txt", "corrective.txt"} <= names
