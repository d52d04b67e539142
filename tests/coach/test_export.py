"""The export's rows: days per person, the team line, formula-safe text, valid sheet names."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal

from coach.days import Absence, CheckIn, DayRecord
from coach.export import (
    PERSON_COLUMNS,
    TEAM_COLUMNS,
    Column,
    csv_rows,
    load_export,
    neutralize,
    person_rows,
    sheet_titles,
    team_row,
)
from coach.kpis import Kpi
from tests.coach.manager_seed import LINA, MONDAY, SUNDAY, TOM, TOM_WIN, make_world


def cell(row: tuple, key: str, kpi: Kpi | None = None, columns=PERSON_COLUMNS) -> object:
    return row[columns.index(Column(key, kpi))]


def test_one_row_per_working_day_and_every_day_with_something() -> None:
    world = make_world()
    with world.uow as uow:
        uow.days.save(  # a Saturday's work counts too
            DayRecord(TOM.user_id, world.a.id, SUNDAY - timedelta(days=1), actual={Kpi.CALLS: 9})
        )
        uow.commit()
    with world.uow as uow:
        export = load_export(uow, world.a, MONDAY - timedelta(days=2), SUNDAY)
    tom, lina = export.people
    assert (tom.name, lina.name) == ("Tom", "李娜")
    # Joined on Sunday the 15th: Saturday the 14th is before; Mon–Fri, then Saturday the 21st.
    assert [row.day.isoformat() for row in tom.days] == [
        "2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-21",
    ]  # fmt: skip
    rows = person_rows(tom, export.zone)
    monday = rows[0]
    assert cell(monday, "day") == MONDAY and cell(monday, "working") == 1
    assert cell(monday, "planned") == 1 and cell(monday, "plan_time") == time(8, 40)
    assert cell(monday, "review_time") == time(19, 5)
    assert (cell(monday, "tasks_done"), cell(monday, "tasks_total")) == (1, 2)
    assert cell(monday, "plan", Kpi.NEW_VISITS) == 2 and cell(monday, "actual", Kpi.DEMOS) is None
    assert cell(monday, "win") == TOM_WIN and cell(monday, "objection") == "@too expensive"
    assert cell(rows[2], "actual", Kpi.REVENUE) == 50000
    assert cell(rows[5], "working") == 0 and cell(rows[5], "actual", Kpi.CALLS) == 9

    lina_rows = person_rows(lina, export.zone)
    assert cell(lina_rows[1], "missed") == (CheckIn.REVIEW,)
    assert cell(lina_rows[2], "absence") is Absence.SICK
    assert cell(lina_rows[3], "missed") == (CheckIn.PLAN, CheckIn.REVIEW)
    assert cell(lina_rows[3], "planned") == 0 and cell(lina_rows[3], "tasks_total") == 0

    line = team_row(tom)
    assert cell(line, "name", columns=TEAM_COLUMNS) == "Tom"
    assert cell(line, "working_days", columns=TEAM_COLUMNS) == 5
    assert cell(line, "reviewed_days", columns=TEAM_COLUMNS) == 5
    assert cell(line, "tasks_done", columns=TEAM_COLUMNS) == 5
    assert cell(line, "actual", Kpi.NEW_VISITS, TEAM_COLUMNS) == 10
    assert cell(line, "actual", Kpi.CALLS, TEAM_COLUMNS) == 9
    assert tom.score is not None
    assert cell(line, "composite", columns=TEAM_COLUMNS) == tom.score.composite
    assert cell(line, "points", columns=TEAM_COLUMNS) == tom.score.points
    lina_line = team_row(lina)
    assert cell(lina_line, "working_days", columns=TEAM_COLUMNS) == 4  # sick on Wednesday
    assert cell(lina_line, "missed_plans", columns=TEAM_COLUMNS) == 2
    assert cell(lina_line, "missed_reviews", columns=TEAM_COLUMNS) == 3
    assert cell(lina_line, "absent_days", columns=TEAM_COLUMNS) == 1

    stacked = list(csv_rows(export))
    assert len(stacked) == len(tom.days) + len(lina.days)
    assert stacked[0][:2] == (TOM.user_id, "Tom") and stacked[-1][:2] == (LINA.user_id, "李娜")


def test_someone_who_left_keeps_their_rows_without_a_score() -> None:
    world = make_world()
    with world.uow as uow:
        uow.members.remove(LINA.user_id)
        uow.commit()
    with world.uow as uow:
        export = load_export(uow, world.a, MONDAY, SUNDAY)
    tom, lina = export.people
    assert tom.current and not lina.current and lina.score is None
    assert [row.day for row in lina.days] == [MONDAY + timedelta(days=n) for n in range(5)]
    assert team_row(lina)[TEAM_COLUMNS.index(Column("composite"))] is None


def test_text_that_a_spreadsheet_would_run_is_neutralized() -> None:
    for formula in ("=1+1", "+31", "-2", "@SUM(A1)", "\tx", "\r=1"):
        assert neutralize(formula) == f"'{formula}"
    for text in ("Deal 1", "'quoted", "1=1", " =x", "签单"):
        assert neutralize(text) == text


def test_sheet_titles_are_valid_and_unique() -> None:
    names = ["Tom", "tom", "A/B: [x]*?\\", "'quoted'", "", "History", "x" * 40, "x" * 40, "Team"]
    titles = sheet_titles(names, reserved=["Team"])
    assert titles[:6] == ["Tom", "tom (2)", "A_B_ _x____", "quoted", "_", "History (2)"]
    assert titles[6] == "x" * 31 and titles[7] == "x" * 27 + " (2)"
    assert titles[8] == "Team (2)"
    assert all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles)
    assert len({t.casefold() for t in titles}) == len(titles)


def test_revenue_cents_stay_exact() -> None:
    world = make_world(seed_week=False)
    with world.uow as uow:
        uow.days.save(
            DayRecord(
                TOM.user_id, world.a.id, date(2026, 11, 16),
                actual={Kpi.REVENUE: Decimal("1234.56")},
            )
        )  # fmt: skip
        uow.commit()
    with world.uow as uow:
        export = load_export(uow, world.a, date(2026, 11, 16), date(2026, 11, 16))
    row = person_rows(export.people[0], export.zone)[0]
    assert cell(row, "actual", Kpi.REVENUE) == Decimal("1234.56")
