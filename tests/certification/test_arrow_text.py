"""The engine gives the same answers when text and dates arrive as Arrow types (as from ingest)."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa

from assets.certification import evaluate
from tests.certification import scenario
from tests.certification.builders import default_config

TEXT = pd.ArrowDtype(pa.string())
DATE = pd.ArrowDtype(pa.date32())


def _as_arrow(frame: pd.DataFrame) -> pd.DataFrame:
    """Text as Arrow strings and dates as Arrow date32, as the ingestion stage may send them."""
    text = [c for c in frame.columns if frame[c].dtype == object]
    dates = [c for c in frame.columns if pd.api.types.is_datetime64_dtype(frame[c])]
    return frame.astype(dict.fromkeys(text, TEXT) | dict.fromkeys(dates, DATE))


def _as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    text = [c for c in frame.columns if isinstance(frame[c].dtype, pd.ArrowDtype)]
    out = frame.astype(dict.fromkeys(text, object))
    return out.where(out.notna(), None)


def test_arrow_text_inputs_give_the_same_tables():
    frames = scenario.frames()
    config = default_config()
    plain = evaluate(*frames, config, scenario.AS_OF)
    arrow = evaluate(*(_as_arrow(f) for f in frames), config, scenario.AS_OF)
    # person columns keep the input's Arrow dtype
    assert isinstance(arrow.status["employee_id"].dtype, pd.ArrowDtype)
    for name in ("status", "ledger", "forecast", "site_compliance"):
        pd.testing.assert_frame_equal(
            _as_objects(getattr(arrow, name)), _as_objects(getattr(plain, name))
        )
    assert (arrow.status["status"] == plain.status["status"]).all()
