"""The manager's weekly coaching brief: the week in one message, and a 1:1 topic per rep.

Sent at the team's week-end time with the reps' weekly summaries (``coach.tick``): to the
team's group without the 1:1 topics (they are about single reps: only managers see them) and
privately to each manager with them.

:func:`build_brief` reads the week, and the week before for "most improved", through
``coach.score_data.team_scores`` (boards and totals from ``coach.boards``); every other input
(the week's drills and quiz answers) is read for the window only, so the cost follows the reps,
not the length of history.

A rep's 1:1 topic is the first of these that holds (:func:`one_on_one`), so the manager
talks about the thing most worth a conversation:

1. ``discipline`` — two or more check-ins missed this week;
2. ``pipeline`` — a targeted KPI below :data:`LOW_ATTAINMENT` percent (the lowest one);
3. ``objections`` — drills this week and a LAER step averaging under one point of two
   (the weakest step);
4. ``product`` — at least :data:`MIN_QUIZ_ANSWERS` quiz answers and under
   :data:`LOW_QUIZ` percent right;
5. ``no_practice`` — no drill and no quiz answer this week;
6. ``recognise`` — composite up :data:`BIG_STEP` points or more on last week;
7. ``stretch`` — composite of :data:`STRONG` or more: set a stretch goal;
8. ``momentum`` — otherwise: keep the rhythm, pick one thing to sharpen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum

from coach.boards import Row, TotalLine, hero_board, improved_board, team_totals
from coach.content import LAER, Category, LaerStep
from coach.kpis import Kpi
from coach.models import Team
from coach.ports import UnitOfWork
from coach.practice import DrillRecord
from coach.quiz import AnswerRecord, Gap, knowledge_gaps
from coach.repdays import team_zone, week_bounds
from coach.score_data import team_scores
from coach.scores import RepScore
from coach.team_content import questions_for

LOW_ATTAINMENT = 60
LOW_STEP = Decimal(1)
MIN_QUIZ_ANSWERS = 4
LOW_QUIZ = 60
BIG_STEP = Decimal(10)
STRONG = Decimal(80)
MIN_DRILLS_PER_CATEGORY = 2
BOARD_SIZE = 10
WEAK_LIMIT = 3
_ZERO = Decimal(0)


class Topic(StrEnum):
    DISCIPLINE = "discipline"
    PIPELINE = "pipeline"
    OBJECTIONS = "objections"
    PRODUCT = "product"
    NO_PRACTICE = "no_practice"
    RECOGNISE = "recognise"
    STRETCH = "stretch"
    MOMENTUM = "momentum"


@dataclass(frozen=True, slots=True)
class OneOnOne:
    """The suggested 1:1 topic for one rep, with the figure behind it.

    ``detail`` names what the topic is about (a KPI, a LAER step) and ``figure`` is the
    number that triggered it (missed check-ins, percent, points), so the brief can say why.
    """

    user_id: int
    name: str
    topic: Topic
    detail: Kpi | LaerStep | None = None
    figure: Decimal | None = None


@dataclass(frozen=True, slots=True)
class WeakCategory:
    """An objection category the team drilled this week, by mean points per drill (0–8)."""

    category: Category
    drills: int
    mean_points: Decimal


@dataclass(frozen=True, slots=True)
class Brief:
    """The week of one team, as the coaching brief shows it."""

    team: Team
    week_start: date
    through: date
    totals: tuple[TotalLine, ...]
    board: tuple[Row, ...]  # the hero board (composite), at most BOARD_SIZE rows
    reps: int  # reps scored (the board may be cut)
    improved: tuple[Row, ...]  # most improved on last week, at most WEAK_LIMIT rows
    missed: tuple[RepScore, ...]  # reps with missed check-ins, most first
    weak_categories: tuple[WeakCategory, ...]
    weak_tags: tuple[Gap, ...]
    one_on_ones: tuple[OneOnOne, ...]


def build_brief(uow: UnitOfWork, team: Team, day: date) -> Brief:
    """The coaching brief of ``day``'s ISO week, counted through ``day``."""
    monday, _ = week_bounds(day)
    scores = team_scores(uow, team, monday, day)
    before = team_scores(uow, team, monday - timedelta(days=7), monday - timedelta(days=1))
    tz = team_zone(team)
    start = datetime.combine(monday, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    drills = [d for d in uow.practice.team_drills(team.id, start) if d.finished_at < end]
    answers = [a for a in uow.practice.answers(team.id, start) if a.answered_at < end]
    questions = questions_for(uow, team, team.language.value)
    _, tags = knowledge_gaps(
        (AnswerRecord(a.user_id, a.question_key, a.correct) for a in answers),
        questions,
        limit=WEAK_LIMIT,
    )
    previous = {s.user_id: s for s in before}
    drills_by_rep: dict[int, list[DrillRecord]] = defaultdict(list)
    for drill in drills:
        drills_by_rep[drill.user_id].append(drill)
    return Brief(
        team=team,
        week_start=monday,
        through=day,
        totals=team_totals(scores),
        board=hero_board(scores).rows[:BOARD_SIZE],
        reps=len(scores),
        improved=improved_board(scores, before).rows[:WEAK_LIMIT],
        missed=tuple(sorted((s for s in scores if s.missed), key=lambda s: (-s.missed, s.name))),
        weak_categories=weak_categories(drills),
        weak_tags=tuple(tags),
        one_on_ones=tuple(
            one_on_one(s, previous.get(s.user_id), drills_by_rep.get(s.user_id, ()))
            for s in sorted(scores, key=lambda s: (s.name, s.user_id))
        ),
    )


def weak_categories(
    drills: Iterable[DrillRecord], limit: int = WEAK_LIMIT
) -> tuple[WeakCategory, ...]:
    """Categories with at least :data:`MIN_DRILLS_PER_CATEGORY` drills, lowest mean first."""
    by_category: dict[Category, list[int]] = defaultdict(list)
    for drill in drills:
        by_category[drill.category].append(drill.total)
    rows = [
        WeakCategory(category, len(totals), Decimal(sum(totals)) / len(totals))
        for category, totals in by_category.items()
        if len(totals) >= MIN_DRILLS_PER_CATEGORY
    ]
    return tuple(sorted(rows, key=lambda r: (r.mean_points, r.category.value))[:limit])


def weakest_step(drills: Sequence[DrillRecord]) -> tuple[LaerStep, Decimal] | None:
    """The LAER step with the lowest mean points over ``drills`` (ties: the earlier step)."""
    if not drills:
        return None
    means = {
        step: Decimal(sum(d.points.get(step, 0) for d in drills)) / len(drills) for step in LAER
    }
    step = min(LAER, key=lambda s: means[s])
    return step, means[step]


def one_on_one(score: RepScore, before: RepScore | None, drills: Sequence[DrillRecord]) -> OneOnOne:
    """The rep's suggested 1:1 topic (see the module's docstring for the order)."""

    def topic(
        kind: Topic, detail: Kpi | LaerStep | None = None, figure: Decimal | None = None
    ) -> OneOnOne:
        return OneOnOne(score.user_id, score.name, kind, detail, figure)

    if score.missed >= 2:
        return topic(Topic.DISCIPLINE, figure=Decimal(score.missed))
    low = [
        (percent, kpi)
        for kpi, percent in score.attainment.items()
        if percent is not None and percent < LOW_ATTAINMENT
    ]
    if low:
        percent, kpi = min(low, key=lambda p: (p[0], list(Kpi).index(p[1])))
        return topic(Topic.PIPELINE, kpi, Decimal(percent))
    weakest = weakest_step(drills)
    if weakest is not None and weakest[1] < LOW_STEP:
        return topic(Topic.OBJECTIONS, weakest[0], weakest[1].quantize(Decimal("0.1")))
    accuracy = score.quiz_accuracy
    if score.quiz_answered >= MIN_QUIZ_ANSWERS and accuracy is not None and accuracy < LOW_QUIZ:
        return topic(Topic.PRODUCT, figure=Decimal(accuracy))
    if not score.drills and not score.quiz_answered:
        return topic(Topic.NO_PRACTICE)
    if before is not None and before.active and score.composite - before.composite >= BIG_STEP:
        return topic(Topic.RECOGNISE, figure=score.composite - before.composite)
    if score.composite >= STRONG:
        return topic(Topic.STRETCH, figure=score.composite)
    return topic(Topic.MOMENTUM, figure=score.composite)
