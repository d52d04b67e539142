"""The weekly quiz battle in a team's group: a timed round of quiz polls and a board at the end.

A battle is started by a manager (``/battle`` in the group) or by the scheduler at the weekly
battle time; at most one a week per team. The scheduler's tick then asks :func:`due_steps`
what is due: the next question (sent as a quiz poll open ``open_seconds``) or, after the last
one has closed, the board. Each step is committed before it is sent, so a crash may lose a
question but never sends one twice.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coach import errors
from coach.content import StoredQuestion
from coach.models import Person, Team
from coach.onboarding import managed_team
from coach.ports import UnitOfWork
from coach.practice import Battle, BattleState, PollKind, QuizPoll
from coach.quiz import BattleAnswer, BattleRow, battle_board
from coach.team_content import BUILT_IN, questions_for

PAUSE = timedelta(seconds=3)
"""Between a question's close and the next question (or the board)."""


@dataclass(frozen=True, slots=True)
class BattleRules:
    """When the weekly battle runs (team-local) and its size."""

    weekday: int = 5  # ISO: Friday
    at: time = time(17, 0)
    questions: int = 5
    open_seconds: int = 30


@dataclass(eq=False)
class NotTheTeamGroup(errors.CoachError):
    code = "battle_not_team_group"  # type: ignore[assignment]


@dataclass(eq=False)
class BattleThisWeek(errors.CoachError):
    code = "battle_this_week"  # type: ignore[assignment]
    running: bool


@dataclass(eq=False)
class NoQuestions(errors.CoachError):
    code = "battle_no_questions"  # type: ignore[assignment]


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def _new_battle(uow: UnitOfWork, team: Team, now: datetime, rules: BattleRules) -> Battle | None:
    assert team.group_chat_id is not None
    local = now.astimezone(ZoneInfo(team.timezone)).date()
    week = week_of(local)
    questions = questions_for(uow, team, team.language.value)
    if not questions:
        raise NoQuestions()
    picked = pick_questions(questions, rules.questions, random.Random(f"{team.id}:{week}"))
    battle = Battle(
        team_id=team.id,
        chat_id=team.group_chat_id,
        week=week,
        language=team.language.value,
        started_at=now,
        question_keys=tuple(q.key for q in picked),
        open_seconds=rules.open_seconds,
        next_at=now,
    )
    return uow.practice.add_battle(battle)


def pick_questions(
    questions: Sequence[StoredQuestion], count: int, rng: random.Random
) -> list[StoredQuestion]:
    """``count`` different questions, spread over the tags where possible."""
    by_tag: dict[str, list[StoredQuestion]] = {}
    for stored in questions:
        by_tag.setdefault(stored.question.tags[0] if stored.question.tags else "", []).append(
            stored
        )
    pools = [rng.sample(pool, len(pool)) for _, pool in sorted(by_tag.items())]
    rng.shuffle(pools)
    picked: list[StoredQuestion] = []
    while len(picked) < count and any(pools):
        for pool in pools:
            if pool and len(picked) < count:
                picked.append(pool.pop())
    return picked


def start_battle(
    uow: UnitOfWork, person: Person, now: datetime, chat_id: int, rules: BattleRules
) -> Battle:
    """``/battle`` in the team's group, by a manager: this week's battle starts now."""
    team = managed_team(uow, person)
    if team.group_chat_id != chat_id:
        raise NotTheTeamGroup()
    battle = _new_battle(uow, team, now, rules)
    if battle is None:
        local = now.astimezone(ZoneInfo(team.timezone)).date()
        existing = uow.practice.battle_of_week(team.id, week_of(local))
        raise BattleThisWeek(running=existing is not None and existing.state is BattleState.RUNNING)
    return battle


def schedule_weekly(
    uow: UnitOfWork, now: datetime, rules: BattleRules, grace: timedelta
) -> list[Battle]:
    """Start the week's battle of every team with a group whose battle time has come
    (within ``grace``); a team that already had one this week is left alone."""
    started: list[Battle] = []
    for team in uow.teams.all():
        if team.group_chat_id is None:
            continue
        zone = ZoneInfo(team.timezone)
        local = now.astimezone(zone)
        if local.isoweekday() != rules.weekday:
            continue
        due = datetime.combine(local.date(), rules.at, zone)
        if not due <= now < due + grace:
            continue
        if uow.practice.battle_of_week(team.id, week_of(local.date())) is not None:
            continue  # started already (this run loops every few seconds through the window)
        try:
            battle = _new_battle(uow, team, now, rules)
        except NoQuestions:
            continue
        if battle is not None:
            started.append(battle)
    return started


@dataclass(frozen=True, slots=True)
class AskQuestion:
    """Send this question to the battle's group as a quiz poll."""

    battle: Battle
    question: StoredQuestion
    index: int


@dataclass(frozen=True, slots=True)
class PostBoard:
    """The battle is over: post its board to the group."""

    battle: Battle
    rows: list[BattleRow]
    names: dict[int, str]
    questions: int


def due_steps(uow: UnitOfWork, now: datetime) -> list[AskQuestion | PostBoard]:
    """What running battles need now; the battles are moved on (the caller commits first,
    then sends)."""
    steps: list[AskQuestion | PostBoard] = []
    for battle in uow.practice.due_battles(now):
        assert battle.id is not None
        if battle.asked < len(battle.question_keys):
            key = battle.question_keys[battle.asked]
            stored = _question(uow, battle, key)
            moved = replace(
                battle,
                asked=battle.asked + 1,
                next_at=now + timedelta(seconds=battle.open_seconds) + PAUSE,
            )
            uow.practice.save_battle(moved)
            if stored is not None:  # retired since the battle began: skipped
                steps.append(AskQuestion(moved, stored, battle.asked))
            continue
        answers = [
            BattleAnswer(a.user_id, a.question_key, a.correct, a.seconds)
            for a in uow.practice.battle_answers(battle.id)
        ]
        members = {m.user_id for m in uow.members.of_team(battle.team_id)}
        answers = [a for a in answers if a.user_id in members]  # the team's, not onlookers'
        rows = battle_board(answers, battle.open_seconds)
        people = uow.people.many({row.user_id for row in rows})
        names = {uid: person.first_name for uid, person in people.items()}
        done = replace(battle, state=BattleState.DONE, next_at=None)
        uow.practice.save_battle(done)
        steps.append(PostBoard(done, rows, names, len(battle.question_keys)))
    return steps


def _question(uow: UnitOfWork, battle: Battle, key: int) -> StoredQuestion | None:
    for stored in uow.content.questions([battle.team_id, BUILT_IN], battle.language):
        if stored.key == key:
            return stored
    return None


def battle_poll(step: AskQuestion, poll_id: str, message_id: int, now: datetime) -> QuizPoll:
    assert step.battle.id is not None
    return QuizPoll(
        poll_id=poll_id,
        kind=PollKind.BATTLE,
        chat_id=step.battle.chat_id,
        message_id=message_id,
        team_id=step.battle.team_id,
        question_key=step.question.key,
        correct=step.question.question.correct,
        sent_at=now,
        battle_id=step.battle.id,
        index=step.index,
    )


def record_poll(uow: UnitOfWork, poll: QuizPoll) -> None:
    uow.practice.add_poll(poll)
