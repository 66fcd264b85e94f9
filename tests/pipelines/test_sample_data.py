"""The sample landing folder: deterministic, in the documented formats, with counted trouble.

Every count checked here is re-derived from the written files with an independent reading of
docs/data-contract.md and config/providers.yaml, then compared with what the generator says it
injected.
"""

from __future__ import annotations

import hashlib
import unicodedata
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pandas as pd
import pytest

from pipelines import sample_data
from pipelines.sample_data import SampleSummary, generate_sample_data
from schemas.config import load_config

TODAY = date(2026, 11, 23)
CONFIG_DIR = Path(__file__).resolve().parents[2] / "config"
REQUIRED = ("SAFETY", "QUALITY", "PROCESSES", "MAINTENANCE")


def _years_before(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year - years)
    except ValueError:
        return d.replace(year=d.year - years, day=28)


def _fold(text: str) -> str:
    text = text.replace("ø", "o").replace("Ø", "O").replace("ł", "l").replace("Ł", "L")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(text.lower().split())


def _csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def config():
    return load_config(CONFIG_DIR)


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> tuple[Path, SampleSummary]:
    """The default demo size (600 people), for which the reject-share promise is made."""
    root = tmp_path_factory.mktemp("landing")
    return root, generate_sample_data(root, employees=600, seed=7, today=TODAY, progress=False)


@pytest.fixture(scope="module")
def roster(landing) -> pd.DataFrame:
    root, _ = landing
    return _csv(sorted((root / "roster").glob("*.csv"))[-1])


@pytest.fixture(scope="module")
def northfield(landing, config) -> pd.DataFrame:
    root, _ = landing
    frames = []
    for path in sorted((root / "providers" / "northfield_college").glob("*.csv")):
        frame = _csv(path)
        assert list(frame.columns) == list(
            config.providers.providers["northfield_college"].columns.values()
        )
        frames.append(frame.assign(_file=path.name))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def apex(landing) -> pd.DataFrame:
    root, _ = landing
    frames = []
    for path in sorted((root / "providers" / "apex_academy").glob("*.xlsx")):
        frame = pd.read_excel(path, sheet_name="Gradebook", engine="calamine", skiprows=1)
        assert list(frame.columns) == sample_data.APEX_HEADER
        frames.append(frame.assign(_file=path.name))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def inhouse(landing) -> pd.DataFrame:
    root, _ = landing
    paths = sorted((root / "providers" / "inhouse_academy").glob("*.csv"))
    return pd.concat([_csv(p) for p in paths], ignore_index=True)


@pytest.fixture(scope="module")
def activities(landing) -> pd.DataFrame:
    root, _ = landing
    return pd.concat([_csv(p) for p in sorted((root / "activities").glob("*.csv"))])


def _valid_us_dates(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, format="%m/%d/%Y", errors="coerce")


# --- determinism and the folder tree ----------------------------------------------------------


def _tree(root: Path) -> dict[str, tuple[str, int]]:
    return {
        p.relative_to(root).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest(),
            int(p.stat().st_mtime),
        )
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_same_inputs_give_the_same_bytes_and_times_and_a_rerun_replaces_only_its_folders(
    tmp_path,
):
    first, second = tmp_path / "a", tmp_path / "b"
    generate_sample_data(first, employees=300, seed=11, today=TODAY, progress=False)
    generate_sample_data(second, employees=300, seed=11, today=TODAY, progress=False)
    tree = _tree(first)
    assert any(name.endswith(".xlsx") for name in tree)
    assert tree == _tree(second)

    # A rerun wipes leftovers inside the folders it owns and nothing outside them.
    (first / "roster" / "roster_1999-01-01.csv").write_text("stale")
    (first / "providers" / "old_provider").mkdir()
    (first / "notes.txt").write_text("mine")
    generate_sample_data(first, employees=300, seed=11, today=TODAY, progress=False)
    after = _tree(first)
    assert after.pop("notes.txt")[0] == hashlib.sha256(b"mine").hexdigest()
    assert after == tree

    other_seed = tmp_path / "c"
    generate_sample_data(other_seed, employees=300, seed=12, today=TODAY, progress=False)
    assert _tree(other_seed) != tree


def test_later_drops_have_later_modification_times(landing):
    root, _ = landing
    quarters = sorted((root / "providers" / "northfield_college").glob("results_*.csv"))
    times = [p.stat().st_mtime for p in quarters]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert datetime.fromtimestamp(times[-1]).date() < TODAY + timedelta(days=1)
    rosters = sorted((root / "roster").iterdir())
    for path in rosters:  # an extract lands on its own date
        stamp = datetime.fromtimestamp(path.stat().st_mtime, UTC).date()
        assert stamp.isoformat() == path.stem.removeprefix("roster_")


def test_summary_counts_match_the_files(landing):
    root, summary = landing
    for relative, rows in summary.rows.items():
        path = root / relative
        assert path.is_file(), relative
        if relative.endswith(".csv") and relative.startswith(("activities", "providers/n")):
            assert len(_csv(path)) == rows
    assert summary.files["northfield_college"] == len(
        list((root / "providers" / "northfield_college").glob("*.csv"))
    )
    assert summary.files["apex_academy"] == len(
        list((root / "providers" / "apex_academy").glob("*.xlsx"))
    )
    assert summary.files["roster"] == len(list((root / "roster").iterdir()))
    assert "600 employees" in summary.describe()


# --- formats ----------------------------------------------------------------------------------


def test_generated_module_values_are_the_configured_ones(config):
    providers = config.providers.providers
    assert set(sample_data.NORTHFIELD_MODULE_NAMES) == set(
        providers["northfield_college"].module_values
    )
    codes = {c for c in sample_data.APEX_COURSE_CODES if c}
    assert codes == set(providers["apex_academy"].module_values)
    assert set(sample_data.MODULES) == config.credentials.all_modules
    assert list(providers["apex_academy"].columns.values()) == [
        "Attempt ID", "Learner", "Learner Email", "Course Code", "Completed On", "Percentage",
        "Badge",
    ]  # fmt: skip


def test_northfield_rows_follow_the_us_csv_format(northfield, landing, config):
    _, summary = landing
    names = config.providers.providers["northfield_college"].module_values
    exam = _valid_us_dates(northfield["Exam Date"])
    assert exam.isna().sum() == _count_impossible(northfield) > 0
    assert northfield["Exam Date"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
    ok = (
        exam.notna()
        & northfield["Module"].isin(names)
        & northfield["Result"].isin(["PASS", "FAIL"])
        & northfield["Score"].str.fullmatch(r"\d+")
    )
    ok &= ok & pd.to_numeric(northfield["Score"], errors="coerce").between(0, 100)
    good = northfield[ok]
    assert ((pd.to_numeric(good["Score"]) >= 70) == (good["Result"] == "PASS")).all()
    passes = good["Result"] == "PASS"
    assert good.loc[passes, "Certificate No"].str.match(r"(MSSC-CPT|NFC-FL)-\d{6}$").all()
    assert (good.loc[~passes, "Certificate No"] == "").all()
    assert "Forklift Operation" in set(good["Module"])
    # Employee Number filled for most rows, like E000123.
    numbered = northfield["Employee Number"] != ""
    assert numbered.mean() > 0.9
    assert northfield.loc[numbered, "Employee Number"].str.fullmatch(r"E\d{6,7}").all()
    assert summary.rows_of("providers/northfield_college") == len(northfield)


def _count_impossible(northfield: pd.DataFrame) -> int:
    return int(northfield["Exam Date"].str.startswith("02/30/").sum())


def test_apex_gradebook_is_an_xlsx_with_a_title_row(apex, landing):
    root, _ = landing
    first = sorted((root / "providers" / "apex_academy").glob("*.xlsx"))[0]
    title = pd.read_excel(first, sheet_name="Gradebook", engine="calamine", header=None, nrows=1)
    assert str(title.iat[0, 0]).startswith("Apex Academy - CPT gradebook export generated 20")
    real_dates = apex["Completed On"].map(lambda v: isinstance(v, datetime))
    assert real_dates.mean() > 0.98
    assert apex["Learner"].str.fullmatch(r"[^,]+, [^,]+").all()
    known = apex["Course Code"].isin(["CPT-SAF", "CPT-QPM", "CPT-MPP", "CPT-MA", "CPT-GRN"])
    assert known.mean() > 0.98
    in_range = apex["Percentage"].between(0, 1)
    passes = in_range & (apex["Percentage"] * 100 >= 70 - 1e-9)
    assert apex.loc[passes & known & real_dates, "Badge"].str.startswith("APX-BDG-").all()
    assert apex.loc[~passes & in_range, "Badge"].isna().all()


def test_inhouse_files_carry_the_canonical_columns(inhouse):
    assert list(inhouse.columns) == [
        "provider", "record_id", "employee_id", "email", "first_name", "last_name", "module",
        "assessment_date", "score", "passed", "credential_id",
    ]  # fmt: skip
    assert (inhouse["provider"] == "inhouse_academy").all()
    assert inhouse["record_id"].is_unique
    assert pd.to_datetime(inhouse["assessment_date"], format="%Y-%m-%d").notna().all()
    assert set(inhouse["passed"]) == {"true", "false"}
    assert set(inhouse["module"]) <= set(sample_data.MODULES)
    scores = pd.to_numeric(inhouse["score"])
    assert ((scores >= 70) == (inhouse["passed"] == "true")).all()


def test_activities_have_hours_or_points_and_unique_evidence(activities, landing):
    _, summary = landing
    assert list(activities.columns) == sample_data.ACTIVITY_HEADER
    assert activities["evidence_ref"].is_unique
    assert activities["evidence_ref"].str.fullmatch(r"CE-\d{6}").all()
    assert ((activities["hours"] == "") != (activities["points"] == "")).all()
    assert set(activities["activity_type"]) == {"course", "webinar", "conference", "mentoring"}
    negative = pd.to_numeric(activities["hours"], errors="coerce") < 0
    assert negative.sum() == summary.trouble["activity_negative_hours"] >= 1


def test_no_record_before_2015_or_after_today_except_counted_future_rows(
    northfield, apex, inhouse, activities, landing
):
    _, summary = landing
    dates = pd.concat(
        [
            _valid_us_dates(northfield["Exam Date"]),
            pd.to_datetime(apex["Completed On"].where(apex["Completed On"].map(
                lambda v: isinstance(v, datetime)))),
            pd.to_datetime(inhouse["assessment_date"]),
            pd.to_datetime(activities["activity_date"]),
        ]
    ).dropna()  # fmt: skip
    assert dates.min() >= pd.Timestamp("2015-01-01")
    assert (dates > pd.Timestamp(TODAY)).sum() == summary.trouble["future_date"] >= 2
    assert (dates.dt.date == TODAY).sum() == 0


# --- roster -----------------------------------------------------------------------------------


def _extracts(root: Path) -> dict[date, pd.DataFrame]:
    out = {}
    for path in sorted((root / "roster").iterdir()):
        day = date.fromisoformat(path.stem.removeprefix("roster_"))
        if path.suffix == ".xlsx":
            frame = pd.read_excel(path, sheet_name="Roster", engine="calamine", dtype=object)
            for col in ("hire_date", "termination_date"):
                frame[col] = pd.to_datetime(frame[col]).dt.strftime("%Y-%m-%d")
            frame = frame.fillna("")
        else:
            frame = _csv(path)
        assert list(frame.columns) == sample_data.ROSTER_HEADER
        out[day] = frame
    return out


def test_roster_extracts_are_snapshots_with_joiners_and_leavers(landing):
    root, summary = landing
    extracts = _extracts(root)
    days = sorted(extracts)
    assert len(days) >= 3 and days == summary.roster_extracts
    assert all(TODAY - timedelta(days=731) <= d < TODAY for d in days)
    assert TODAY - days[-1] <= timedelta(days=14)
    assert any(p.suffix == ".xlsx" for p in (root / "roster").iterdir())
    for earlier, later in pairwise(days):
        before, after = extracts[earlier], extracts[later]
        assert (before["hire_date"] <= earlier.isoformat()).all()
        joiners = set(after["employee_id"]) - set(before["employee_id"])
        assert joiners, f"no joiners between {earlier} and {later}"
        # Leavers stay in later extracts, now with a termination date.
        had_no_end = set(before.loc[before["termination_date"] == "", "employee_id"])
        ended = after[(after["termination_date"] != "") & after["employee_id"].isin(had_no_end)]
        assert len(ended) > 0, f"no leavers between {earlier} and {later}"
        assert set(before["employee_id"]) <= set(after["employee_id"])
    latest = extracts[days[-1]]
    assert latest["employee_id"].str.fullmatch(r"E\d{6}").all()


def test_roster_lists_every_site_and_role(roster, landing, config):
    _, summary = landing
    assert set(roster["site"]) == {"DAYTON", "GREENVILLE", "QUERETARO", "TOLEDO"}
    assert set(summary.sites) == set(roster["site"])
    assert "TOLEDO" not in config.policy.sites and "TOLEDO" not in config.recipients.sites
    assert (roster["site"] == "TOLEDO").mean() < 0.1
    roles = roster["job_role"].value_counts()
    assert roles.index[0] == "Production Technician"
    assert set(roles.index) == {r for r, *_ in sample_data.ROLE_TABLE}
    configured = {r.job_role for r in config.requirements.requirements}
    assert "Material Handler" not in configured
    assert 0 < (roster["email"] == "").mean() < 0.1
    assert (roster["manager_email"] != "").mean() > 0.8
    emails = roster.loc[roster["email"] != "", ["employee_id", "email"]].drop_duplicates()
    assert emails["email"].is_unique
    assert emails["email"].str.fullmatch(r"[a-z0-9.\-]+@acme-precision\.example").all()


def test_roster_trouble_is_in_the_latest_extract(roster, landing):
    _, summary = landing
    duplicated = roster["employee_id"].duplicated(keep=False)
    assert roster.loc[duplicated, "employee_id"].nunique() == summary.trouble[
        "roster_duplicate_id"
    ] == 1  # fmt: skip
    ended = roster[roster["termination_date"] != ""]
    backwards = ended["hire_date"] > ended["termination_date"]
    assert backwards.sum() == summary.trouble["roster_hire_after_termination"] == 1


# --- trouble and identity ---------------------------------------------------------------------


def test_defective_provider_rows_are_present_in_the_counted_amounts(
    northfield, apex, landing, config
):
    _, summary = landing
    t = summary.trouble
    names = config.providers.providers["northfield_college"].module_values
    codes = config.providers.providers["apex_academy"].module_values
    apex_text_dates = apex["Completed On"].map(lambda v: isinstance(v, str))
    assert _count_impossible(northfield) + apex_text_dates.sum() == t["impossible_date"] >= 4
    assert apex.loc[apex_text_dates, "Completed On"].str.contains("-02-30").all()
    unknown = (~northfield["Module"].isin(names)).sum() + (~apex["Course Code"].isin(codes)).sum()
    assert unknown == t["unknown_module"] >= 4
    score = pd.to_numeric(northfield["Score"])
    out_of_range = (~score.between(0, 100)).sum() + (~apex["Percentage"].between(0, 1)).sum()
    assert out_of_range == t["score_out_of_range"] >= 4
    assert {130, -5} <= set(score)
    bad_words = ~northfield["Result"].isin(["PASS", "FAIL"])
    assert bad_words.sum() == t["bad_result_word"] >= 2


def test_resends_repeat_earlier_rows_and_conflicts_change_them(northfield, landing):
    _, summary = landing
    data = northfield.drop(columns="_file")
    exact = data.duplicated(keep="first")
    assert exact.sum() == summary.trouble["exact_resend"] >= 3
    last_file = northfield["_file"].max()
    assert (northfield.loc[exact, "_file"] == last_file).all()
    distinct = data.drop_duplicates()
    conflicts = distinct[distinct["Result ID"].duplicated(keep=False)]
    later = conflicts[conflicts.index.isin(northfield.index[northfield["_file"] == last_file])]
    assert len(later) == summary.trouble["conflicting_duplicate"] >= 2
    assert conflicts["Result ID"].nunique() == len(later)


def test_identity_trouble_is_present_in_the_counted_amounts(
    northfield, apex, inhouse, roster, landing
):
    _, summary = landing
    t = summary.trouble
    ids = set(roster["employee_id"])
    emails = set(roster.loc[roster["email"] != "", "email"].str.lower())
    names = (roster["first_name"] + " " + roster["last_name"]).map(_fold)
    name_counts = names[~roster["employee_id"].duplicated()].value_counts()

    nf_no_id = northfield["Employee Number"] == ""
    assert nf_no_id.sum() == t["email_only"] > 0
    recased = northfield.loc[nf_no_id, "Email"]
    assert recased.str.lower().isin(emails).all()
    assert (recased != recased.str.lower()).all()  # another letter case than the roster's

    apex_email = apex["Learner Email"].fillna("")
    apex_names = apex["Learner"].str.split(", ").map(lambda p: _fold(f"{p[1]} {p[0]}"))
    no_email = apex_email == ""
    by_name = apex_names[no_email].map(name_counts).fillna(0)
    assert (by_name == 1).sum() == t["name_only"] > 0
    assert (by_name >= 2).sum() == t["ambiguous_name"] >= 1

    unmatched = (
        (~northfield["Employee Number"].isin(ids) & ~nf_no_id).sum()
        + (~apex_email.str.lower().isin(emails) & ~no_email).sum()
        + (by_name == 0).sum()
        + (~inhouse["employee_id"].isin(ids)).sum()
    )
    assert unmatched == t["unmatched"] >= 6
    accented = roster.drop_duplicates("employee_id")
    full = accented["first_name"] + accented["last_name"]
    assert (~full.map(str.isascii)).sum() == t["accented_name"]
    assert 0.05 < t["accented_name"] / len(accented) < 0.35
    shown = set(roster["first_name"] + " " + roster["last_name"])
    assert {"José Núñez", "Jose Nunez"} <= shown  # the shared-name pair


def test_stray_file_and_unknown_provider_folder(landing, config):
    root, summary = landing
    assert (root / "providers" / "apex_academy" / "README.txt").is_file()
    westlake = root / "providers" / "westlake_tech" / "results.csv"
    assert "westlake_tech" not in config.providers.providers
    columns = set(_csv(westlake).columns)
    assert not columns & {"record_id", "employee_id", "module", "assessment_date"}
    assert summary.trouble["stray_file"] == summary.trouble["unknown_provider"] == 1


def test_each_configured_provider_rejects_less_than_the_policy_share(
    northfield, apex, landing, config
):
    _, summary = landing
    threshold = config.policy.reject_share_threshold
    names = config.providers.providers["northfield_college"].module_values
    nf_bad = (
        _valid_us_dates(northfield["Exam Date"]).isna()
        | (_valid_us_dates(northfield["Exam Date"]) > pd.Timestamp(TODAY))
        | ~northfield["Module"].isin(names)
        | ~pd.to_numeric(northfield["Score"]).between(0, 100)
        | ~northfield["Result"].isin(["PASS", "FAIL"])
    ).sum() + summary.trouble["conflicting_duplicate"]
    assert nf_bad == summary.expected_rejects["northfield_college"]
    assert nf_bad / len(northfield) < threshold
    apex_bad = summary.expected_rejects["apex_academy"]
    assert apex_bad / len(apex) < threshold
    assert summary.expected_rejects["activities"] / summary.rows_of("activities") < threshold


# --- designed histories -----------------------------------------------------------------------


def _passes_by_person(northfield, apex, inhouse, roster) -> pd.DataFrame:
    """Valid passing records of each employee, linked the way docs/data-contract.md describes."""
    by_email = roster.drop_duplicates("employee_id").set_index(
        roster.drop_duplicates("employee_id")["email"].str.lower()
    )["employee_id"]
    by_email = by_email[by_email.index != ""]
    modules = dict(zip(sample_data.NORTHFIELD_MODULE_NAMES, sample_data.MODULES, strict=True))
    codes = dict(zip(sample_data.APEX_COURSE_CODES[:5], sample_data.MODULES[:5], strict=True))
    # Re-sends repeat a record; a conflicting re-send comes later than the record it contradicts.
    nf = northfield.drop(columns="_file").drop_duplicates().drop_duplicates("Result ID")
    nf = nf[nf["Result"] == "PASS"]
    nf_ids = nf["Employee Number"].where(
        nf["Employee Number"] != "", nf["Email"].str.lower().map(by_email)
    )
    ap = apex[apex["Percentage"].between(0.7, 1) & apex["Completed On"].map(
        lambda v: isinstance(v, datetime))]  # fmt: skip
    ih = inhouse[inhouse["passed"] == "true"]
    frame = pd.concat(
        [
            pd.DataFrame({"employee_id": nf_ids, "module": nf["Module"].map(modules),
                          "day": _valid_us_dates(nf["Exam Date"])}),
            pd.DataFrame({"employee_id": ap["Learner Email"].str.lower().map(by_email),
                          "module": ap["Course Code"].map(codes),
                          "day": pd.to_datetime(ap["Completed On"])}),
            pd.DataFrame({"employee_id": ih["employee_id"], "module": ih["module"],
                          "day": pd.to_datetime(ih["assessment_date"])}),
        ]
    )  # fmt: skip
    frame = frame.dropna()
    return frame[frame["day"] <= pd.Timestamp(TODAY)]


def _certified_on(passes: pd.DataFrame, after: date | None = None) -> date | None:
    """The latest of the earliest passes of the four required modules (after a date)."""
    if after is not None:
        passes = passes[passes["day"] > pd.Timestamp(after)]
    firsts = passes[passes["module"].isin(REQUIRED)].groupby("module")["day"].min()
    return firsts.max().date() if len(firsts) == 4 else None


def _add_years(d: date, years: int) -> date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return d.replace(year=d.year + years, day=28)


def test_designed_histories_produce_every_status(northfield, apex, inhouse, roster, activities,
                                                 landing):  # fmt: skip
    _, summary = landing
    passes = _passes_by_person(northfield, apex, inhouse, roster)
    five_years_ago = _years_before(TODAY, 5)
    hires = roster.drop_duplicates("employee_id").set_index("employee_id")["hire_date"]
    ce = activities.assign(
        pts=pd.to_numeric(activities["points"], errors="coerce").fillna(
            pd.to_numeric(activities["hours"], errors="coerce")
        ),
        day=pd.to_datetime(activities["activity_date"]),
    )
    examples = summary.scenario_examples
    for scenario, people in examples.items():
        if not scenario.startswith("FL_") and summary.scenarios[scenario] >= 5:
            assert people, f"no example of {scenario}"
    for person in examples["NOT_STARTED"]:
        mine = passes[passes["employee_id"] == person]
        assert not mine["module"].isin(REQUIRED).any()
    for person in examples["IN_PROGRESS"]:
        mine = passes[passes["employee_id"] == person]
        assert 1 <= mine.loc[mine["module"].isin(REQUIRED), "module"].nunique() <= 3
    for person in examples["CERTIFIED"]:
        cert = _certified_on(passes[passes["employee_id"] == person])
        assert five_years_ago + timedelta(days=90) < cert <= TODAY
    for scenario in ("EXPIRING_SECURED", "EXPIRING_SHORT"):
        for person in examples[scenario]:
            cert = _certified_on(passes[passes["employee_id"] == person])
            assert five_years_ago < cert <= five_years_ago + timedelta(days=90)
            assert hires[person] <= cert.isoformat()  # 4 completed years = 80 points
            mine = ce[(ce["employee_id"] == person) & (ce["day"] > pd.Timestamp(cert))]
            retakes = passes[(passes["employee_id"] == person)
                             & (passes["day"] > pd.Timestamp(cert))]  # fmt: skip
            points = mine["pts"].sum() + 25 * len(retakes)
            assert (points >= 20) == (scenario == "EXPIRING_SECURED"), (person, points)
    for person in examples["EXPIRED"]:
        mine = passes[passes["employee_id"] == person]
        cert = _certified_on(mine)
        expiry = _add_years(cert, 5)
        assert expiry <= TODAY and _certified_on(mine, after=expiry) is None
        # Hired in the last year of the cycle or later: at most one anniversary inside it.
        assert hires[person] > _add_years(cert, 3).isoformat()
    for person in examples["LAPSED_RECERT"]:
        mine = passes[passes["employee_id"] == person]
        first_expiry = _add_years(_certified_on(mine), 5)
        again = _certified_on(mine, after=first_expiry)
        assert again is not None and first_expiry < again < TODAY
    for person in examples["RENEWED"]:
        cert = _certified_on(passes[passes["employee_id"] == person])
        assert cert < five_years_ago and hires[person] < cert.isoformat()
    for person in examples["NEW_HIRE"]:
        assert TODAY - date.fromisoformat(hires[person]) < timedelta(days=180)
    for person in examples["FL_RENEWED"]:
        days = sorted(passes.loc[(passes["employee_id"] == person)
                                 & (passes["module"] == "FORKLIFT"), "day"].dt.date)  # fmt: skip
        assert len(days) == 2
        expiry = _add_years(days[0], 3)
        assert expiry - timedelta(days=90) <= days[1] < expiry
    for person in examples["FL_EXPIRED"]:
        days = passes.loc[(passes["employee_id"] == person) & (passes["module"] == "FORKLIFT")]
        assert _add_years(days["day"].max().date(), 3) <= TODAY


# --- scale ------------------------------------------------------------------------------------


def test_large_workforces_spread_over_numbered_sites(tmp_path):
    summary = generate_sample_data(tmp_path, employees=5_000, seed=3, today=TODAY, progress=False)
    assert len(summary.sites) == 5
    latest = _csv(tmp_path / "roster" / f"roster_{summary.roster_extracts[-1]}.csv")
    sites = latest["site"].value_counts()
    assert {"SITE001", "DAYTON", "TOLEDO"} <= set(sites.index)
    assert sites["SITE001"] > 700 and sites["TOLEDO"] < sites["SITE001"] / 2
    assert summary.rows_of("providers/") > 4 * 5_000
    # About five assessment records a person.
    assert 4 <= summary.rows_of("providers/") / 5_000 <= 6.5


def test_gradebooks_split_at_the_row_cap(tmp_path, monkeypatch):
    # the cap is read where the Apex files are planned
    monkeypatch.setattr(sample_data.plans, "XLSX_MAX_ROWS", 5_040)
    summary = generate_sample_data(tmp_path, employees=300, seed=5, today=TODAY, progress=False)
    # The cap leaves 5,000 rows of room for trouble rows: 40 ordinary rows a file here.
    parts = sorted(p.name for p in (tmp_path / "providers" / "apex_academy").glob("*.xlsx"))
    assert any("_part2" in name for name in parts)
    for name in parts:  # 40 ordinary rows at most, plus a few trouble rows
        assert summary.rows[f"providers/apex_academy/{name}"] <= 40 + 10
