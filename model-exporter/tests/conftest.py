import os
import sys

import pytest
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
torch.set_num_threads(1)

DATA = "/work/shared/data"
YC_TRAIN = os.path.join(DATA, "yoochoose", "yoochoose-clicks-100k_train_full.txt")
YC_TEST = os.path.join(DATA, "yoochoose", "yoochoose-clicks-100k_test.txt")

needs_data = pytest.mark.skipif(not (os.path.exists(YC_TRAIN) and os.path.exists(YC_TEST)),
                                reason="yoochoose 100k files not available")


def write(tmp_path, name: str, text: str) -> str:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return str(p)
