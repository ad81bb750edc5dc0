import os
import sys

import pytest
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
torch.set_num_threads(1)

# The public data sets live beside the checkout (../shared/data); INSESSION_DATA overrides.
_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.environ.get("INSESSION_DATA", os.path.join(os.path.dirname(_REPO), "shared", "data"))
YC_TRAIN = os.path.join(DATA, "yoochoose", "yoochoose-clicks-100k_train_full.txt")
YC_TEST = os.path.join(DATA, "yoochoose", "yoochoose-clicks-100k_test.txt")
_HAVE_DATA = os.path.exists(YC_TRAIN) and os.path.exists(YC_TEST)

if os.environ.get("CI") and not _HAVE_DATA:
    raise RuntimeError(f"CI run without the data sets: {YC_TRAIN} and {YC_TEST} are required")

# Elsewhere (a checkout without ../shared/data) these few tests cannot run; CI always runs them.
needs_data = pytest.mark.skipif(not _HAVE_DATA, reason=f"data sets not found under {DATA}")


def write(tmp_path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)
