"""The practice repository on the fake and both SQL backends: what goes in comes back out."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from coach.content import LAER, Category, LaerStep, read_pack
from coach.content_import import import_pack
from coach.models import Lang, NewTeam
from coach.practice import (
    Battle,
    BattleState,
    DrillRecord,
    DrillSource,
    FieldObjection,
    FieldStatus,
    PollKind,
    QuizAnswer,
    QuizPoll,
)
from coach.quiz import Card

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
PACKS = Path(__file__).parents[2] / "coach" / "packs"
REP, OTHER = 1001, 1002


def setup(uow_factory) -> tuple[int, list[int], list[int]]:
    """A team and the built-in English pack; returns team id, objection keys, question keys."""
    with uow_factory() as uow:
        team = uow.teams.add(NewTeam("A", None, "UTC", Lang.EN), NOW)
        import_pack(uow, 0, read_pack((PACKS / "default.en.yaml").read_bytes()), NOW)
        objections = [o.key for o in uow.content.objections([0], "en")]
        questions = [q.key for q in uow.content.questions([0], "en")]
        uow.commit()
    return team.id, objections, questions


def drill(team: int, key: int, at: datetime, user: int = REP, points=(2, 1, 0, 2)) -> DrillRecord:
    return DrillRecord(
        team_id=team,
        user_id=user,
        objection_key=key,
        category=Category.PRICE,
        mode="steps",
        started_at=at - timedelta(minutes=3),
        finished_at=at,
        points=dict(zip(LAER, points, strict=True)),
        source=DrillSource.PUSH,
    )


def test_drills_come_back_newest_first_per_person_and_per_team_since(uow_factory):
    team, objections, _ = setup(uow_factory)
    with uow_factory() as uow:
        for day in range(3):
            uow.practice.add_drill(drill(team, objections[day], NOW + timedelta(days=day)))
        uow.practice.add_drill(drill(team, objections[0], NOW, user=OTHER, points=(0, 0, 0, 0)))
        uow.commit()
    with uow_factory() as uow:
        mine = uow.practice.drills(REP, limit=2)
        assert [d.objection_key for d in mine] == [objections[2], objections[1]]
        assert mine[0] == drill(team, objections[2], NOW + timedelta(days=2))
        assert mine[0].total == 5
        assert mine[0].points[LaerStep.EXPLORE] == 0
        since = uow.practice.team_drills(team, NOW + timedelta(days=1))
        assert [(d.user_id, d.finished_at) for d in since] == [
            (REP, NOW + timedelta(days=1)),
            (REP, NOW + timedelta(days=2)),
        ]
        assert len(uow.practice.team_drills(team, NOW)) == 4


def test_a_card_is_saved_then_replaced(uow_factory):
    _, _, questions = setup(uow_factory)
    card = Card(
        question_key=questions[0],
        due=NOW + timedelta(days=1),
        state={"stability": 2.5, "difficulty": 5.1, "state": 2, "step": None},
        reviews=1,
        lapses=0,
        last_review=NOW,
        last_correct=True,
    )
    with uow_factory() as uow:
        uow.practice.save_card(REP, card)
        uow.commit()
    later = replace(card, due=NOW + timedelta(days=6), reviews=2, last_correct=False, lapses=1)
    with uow_factory() as uow:
        assert uow.practice.cards(REP) == {questions[0]: card}
        uow.practice.save_card(REP, later)
        uow.commit()
    with uow_factory() as uow:
        assert uow.practice.cards(REP) == {questions[0]: later}
        assert uow.practice.cards(OTHER) == {}


def test_an_answer_counts_once_per_person_and_poll(uow_factory):
    team, _, questions = setup(uow_factory)
    poll = QuizPoll("p-1", PollKind.QUIZ, REP, 77, team, questions[3], 2, NOW, user_id=REP)
    answer = QuizAnswer("p-1", REP, team, questions[3], 2, True, 4.5, NOW + timedelta(seconds=4))
    with uow_factory() as uow:
        uow.practice.add_poll(poll)
        assert uow.practice.add_answer(answer)
        uow.commit()
    with uow_factory() as uow:
        assert uow.practice.poll("p-1") == poll
        assert uow.practice.poll("nope") is None
        assert not uow.practice.add_answer(replace(answer, option=0, correct=False))
        assert uow.practice.add_answer(replace(answer, user_id=OTHER))
        uow.commit()
    with uow_factory() as uow:
        got = uow.practice.answers(team, NOW)
        assert [(a.user_id, a.option, a.correct) for a in got] == [(REP, 2, True), (OTHER, 2, True)]
        assert got[0] == answer
        assert uow.practice.answers(team, NOW + timedelta(minutes=1)) == []
        assert uow.practice.answered(REP, NOW) == 1
        assert uow.practice.quiz_answers(REP, NOW, limit=5) == [answer]
        assert uow.practice.quiz_answers(REP, NOW + timedelta(minutes=1), limit=5) == []


def test_one_battle_a_week_and_its_polls_and_answers(uow_factory):
    team, _, questions = setup(uow_factory)
    battle = Battle(
        team_id=team,
        chat_id=-100,
        week=date(2026, 11, 23),
        language="en",
        started_at=NOW,
        question_keys=tuple(questions[:3]),
        open_seconds=30,
        next_at=NOW,
    )
    with uow_factory() as uow:
        stored = uow.practice.add_battle(battle)
        assert stored is not None and stored.id is not None
        assert uow.practice.add_battle(replace(battle, started_at=NOW + timedelta(hours=1))) is None
        uow.commit()
    with uow_factory() as uow:
        assert uow.practice.battle(stored.id) == stored
        assert uow.practice.battle_of_week(team, date(2026, 11, 23)) == stored
        assert uow.practice.due_battles(NOW - timedelta(seconds=1)) == []
        assert uow.practice.due_battles(NOW) == [stored]
        for index in (1, 0):
            uow.practice.add_poll(
                QuizPoll(
                    f"b-{index}",
                    PollKind.BATTLE,
                    -100,
                    10 + index,
                    team,
                    questions[index],
                    1,
                    NOW,
                    battle_id=stored.id,
                    index=index,
                )
            )
        uow.practice.add_answer(
            QuizAnswer("b-0", REP, team, questions[0], 1, True, 3.0, NOW, battle_id=stored.id)
        )
        moved = replace(stored, asked=1, next_at=NOW + timedelta(seconds=30))
        uow.practice.save_battle(moved)
        uow.commit()
    with uow_factory() as uow:
        assert [p.poll_id for p in uow.practice.battle_polls(stored.id)] == ["b-0", "b-1"]
        assert [a.user_id for a in uow.practice.battle_answers(stored.id)] == [REP]
        assert uow.practice.quiz_answers(REP, NOW, limit=5) == []  # battle answers are not
        assert uow.practice.due_battles(NOW) == []
        uow.practice.save_battle(replace(moved, state=BattleState.DONE, next_at=None))
        uow.commit()
    with uow_factory() as uow:
        assert uow.practice.due_battles(NOW + timedelta(days=1)) == []
        assert uow.practice.battle(stored.id).state is BattleState.DONE


def test_field_objections_replace_the_days_open_one_and_count_by_category(uow_factory):
    team, objections, _ = setup(uow_factory)
    day = date(2026, 11, 23)

    def met(text: str, category: Category | None, on: date = day) -> FieldObjection:
        status = FieldStatus.MATCHED if category else FieldStatus.OFFERED
        return FieldObjection(team, REP, on, text, category, None, status, NOW)

    with uow_factory() as uow:
        first = uow.practice.replace_field(met("too expensive", Category.PRICE))
        uow.practice.replace_field(met("<b>odd</b> {{ 7*7 }}", None, day - timedelta(days=1)))
        uow.commit()
    with uow_factory() as uow:
        uow.practice.replace_field(met("we use a competitor", Category.COMPETITOR))  # review edit
        uow.commit()
    with uow_factory() as uow:
        assert uow.practice.field_item(first.id) is None
        assert uow.practice.field_counts(team, day - timedelta(days=7)) == {Category.COMPETITOR: 1}
        offered = uow.practice.field_items(team, [FieldStatus.OFFERED])
        assert [i.text for i in offered] == ["<b>odd</b> {{ 7*7 }}"]
        uow.practice.set_field(offered[0].id, FieldStatus.ADDED, objections[0])
        uow.commit()
    with uow_factory() as uow:
        added = uow.practice.field_item(offered[0].id)
        assert (added.status, added.objection_key) == (FieldStatus.ADDED, objections[0])
        everything = uow.practice.field_items(team, list(FieldStatus))
        assert [i.day for i in everything] == [day, day - timedelta(days=1)]
        # A handled objection is not replaced by a later edit of that day's review.
        uow.practice.replace_field(met("again", None, day - timedelta(days=1)))
        assert len(uow.practice.field_items(team, list(FieldStatus))) == 3
