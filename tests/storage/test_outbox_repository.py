"""Contract tests for the outbox and the update log: the fake and both SQL backends agree."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event

from coach.models import Lang, Person
from coach.outbox import CAPTION_LIMIT, Button, Delivery, OutgoingMessage, QueuedMessage

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 23)


def message(key: str, chat_id: int = 1, at: datetime = NOW, **fields) -> OutgoingMessage:
    return OutgoingMessage(key, chat_id, f"<b>{key}</b>", "plan", at, **fields)


def test_a_message_round_trips_with_every_field(uow_factory):
    full = OutgoingMessage(
        key="nudge:42:2026-11-23",
        chat_id=42,
        text="<b>记得</b> 复盘 &amp; {{ 7*7 }} 😀",
        kind="nudge",
        not_before=NOW,
        buttons=(
            (Button("✅ 完成", "t:1"), Button("Later", "t:2")),
            (Button("Skip", "s"),),
        ),
        user_id=42,
        team_id=3,
        day=MONDAY,
        budgeted=True,
    )
    group = OutgoingMessage("daily:3:2026-11-23", -100123, "summary", "daily_summary", NOW)
    with uow_factory() as uow:
        assert uow.outbox.add([full, group], NOW - timedelta(minutes=1)) == 2
        uow.commit()
    with uow_factory() as uow:
        claimed = uow.outbox.claim(NOW, 10)
    assert [q.message for q in claimed] == [full, group]
    assert claimed[0].attempts == 0
    assert claimed[0].created_at == NOW - timedelta(minutes=1)
    assert claimed[0].created_at.tzinfo is not None
    assert claimed[0].id != claimed[1].id


def test_a_chart_round_trips_and_a_message_without_one_has_none(uow_factory):
    chart = {
        "kind": "bars",
        "title": "销售英雄榜 · 本周",
        "rows": [{"label": "李娜", "value": 81.5, "mark": True}, {"label": "Tom", "value": 0}],
        "more": 0,
    }
    with_chart = message("board:3:w", chat_id=-100123, chart=chart)
    plain = message("plan:9:d")
    with uow_factory() as uow:
        assert uow.outbox.add([with_chart, plain], NOW) == 2
        uow.commit()
    with uow_factory() as uow:
        claimed = {q.message.key: q.message for q in uow.outbox.claim(NOW, 10)}
    assert claimed["board:3:w"].chart == chart
    assert claimed["board:3:w"] == with_chart
    assert claimed["plan:9:d"].chart is None


def test_a_chart_caption_is_limited():
    OutgoingMessage("k", 1, "x" * CAPTION_LIMIT, "board", NOW, chart={"kind": "bars"})
    OutgoingMessage("k", 1, "x" * (CAPTION_LIMIT + 1), "plan", NOW)  # no chart: no limit here
    with pytest.raises(ValueError):
        OutgoingMessage("k", 1, "x" * (CAPTION_LIMIT + 1), "board", NOW, chart={"kind": "bars"})


def test_add_stores_each_key_once_within_a_call_and_across_calls(uow_factory):
    with uow_factory() as uow:
        assert uow.outbox.add([], NOW) == 0
        first = message("plan:1:d")
        duplicate = OutgoingMessage("plan:1:d", 2, "other", "plan", NOW)
        assert uow.outbox.add([first, message("plan:2:d"), duplicate], NOW) == 2
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.add([message("plan:2:d"), message("plan:3:d")], NOW) == 1
        assert uow.outbox.add(iter([message("plan:3:d")]), NOW) == 0
        uow.commit()
    with uow_factory() as uow:
        claimed = uow.outbox.claim(NOW, 10)
        assert uow.outbox.has("plan:1:d") and not uow.outbox.has("plan:9:d")
    assert [q.message.key for q in claimed] == ["plan:1:d", "plan:2:d", "plan:3:d"]
    assert claimed[0].message == first  # the first of equal keys wins


def test_existing_keys_for_long_lists(uow_factory):
    keys = [f"plan:{i}:2026-11-23" for i in range(1200)]
    with uow_factory() as uow:
        assert uow.outbox.add((message(k, chat_id=i) for i, k in enumerate(keys)), NOW) == 1200
        uow.commit()
    asked = [*keys[::2], *(f"plan:{i}:2026-11-24" for i in range(900))]
    with uow_factory() as uow:
        assert uow.outbox.existing(asked) == set(keys[::2])
        assert uow.outbox.existing(keys) == set(keys)
        assert uow.outbox.existing([]) == set()
        assert uow.outbox.existing(iter(["nope", keys[5], keys[5]])) == {keys[5]}
        assert uow.outbox.counts() == {Delivery.PENDING: 1200}


def test_budget_spent_counts_budgeted_messages_of_the_day_in_any_state(uow_factory):
    tuesday = MONDAY + timedelta(days=1)
    with uow_factory() as uow:
        uow.outbox.add(
            [
                message("n1", user_id=1, day=MONDAY, budgeted=True),
                message("n2", user_id=1, day=MONDAY, budgeted=True),
                message("n3", user_id=1, day=tuesday, budgeted=True),
                message("p1", user_id=1, day=MONDAY),  # a prompt: not budgeted
                message("n4", user_id=2, day=MONDAY, budgeted=True),
                message("n5", user_id=3, day=MONDAY, budgeted=True),
            ],
            NOW,
        )
        uow.commit()
    with uow_factory() as uow:
        (sent, *_) = uow.outbox.claim(NOW, 1)
        uow.outbox.mark_sent(sent.id, NOW, 77)
        uow.outbox.block_chat(1, NOW)
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.budget_spent([1, 2, 4], MONDAY) == {1: 2, 2: 1}
        assert uow.outbox.budget_spent(iter([1]), tuesday) == {1: 1}
        assert uow.outbox.budget_spent(range(5, 2000), MONDAY) == {}
        assert uow.outbox.budget_spent([], MONDAY) == {}


def test_claim_takes_pending_due_messages_by_not_before_then_id(uow_factory):
    with uow_factory() as uow:
        uow.outbox.add(
            [
                message("late", at=NOW + timedelta(minutes=5)),
                message("b", at=NOW),
                message("a", at=NOW - timedelta(minutes=1)),
                message("c", at=NOW),
                message("d", at=NOW),
            ],
            NOW - timedelta(hours=1),
        )
        uow.commit()
    with uow_factory() as uow:
        assert [q.message.key for q in uow.outbox.claim(NOW, 10)] == ["a", "b", "c", "d"]
        assert [q.message.key for q in uow.outbox.claim(NOW, 2)] == ["a", "b"]
        assert uow.outbox.claim(NOW - timedelta(hours=1), 10) == []
        at_five = uow.outbox.claim(NOW + timedelta(minutes=5), 10)
        assert [q.message.key for q in at_five] == ["a", "b", "c", "d", "late"]
        assert uow.outbox.claim(NOW, 0) == []


def test_delivery_outcomes(uow_factory):
    with uow_factory() as uow:
        uow.outbox.add(
            [message(key, chat_id=chat) for key, chat in (("s", 1), ("r", 1), ("f", 2), ("x", 3))]
            + [message("y", chat_id=3, at=NOW + timedelta(days=1)), message("z", chat_id=4)],
            NOW,
        )
        uow.commit()
    with uow_factory() as uow:
        ids = {q.message.key: q.id for q in uow.outbox.claim(NOW + timedelta(days=1), 10)}
        uow.outbox.mark_sent(ids["s"], NOW, 555)
        uow.outbox.retry_later(ids["r"], NOW + timedelta(seconds=30), "RetryAfter")
        uow.outbox.give_up(ids["f"], Delivery.FAILED, NOW, "BadRequest")
        assert uow.outbox.block_chat(3, NOW) == 2  # pending ones only, due or not
        assert uow.outbox.block_chat(3, NOW) == 0
        assert uow.outbox.block_chat(2, NOW) == 0  # "f" has failed already
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.counts() == {
            Delivery.SENT: 1,
            Delivery.PENDING: 2,
            Delivery.FAILED: 1,
            Delivery.BLOCKED: 2,
        }
        assert [q.message.key for q in uow.outbox.claim(NOW + timedelta(seconds=29), 10)] == ["z"]
        retried = uow.outbox.claim(NOW + timedelta(seconds=30), 10)
        assert [q.message.key for q in retried] == ["z", "r"]  # by the moved not_before
        assert retried[1] == QueuedMessage(
            ids["r"],
            message("r", chat_id=1, at=NOW + timedelta(seconds=30)),
            attempts=1,
            created_at=NOW,
        )
        uow.outbox.retry_later(ids["r"], NOW + timedelta(minutes=2), "NetworkError" * 40)
        uow.outbox.give_up(ids["r"], Delivery.BLOCKED, NOW, "Forbidden")
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.counts() == {
            Delivery.SENT: 1,
            Delivery.PENDING: 1,
            Delivery.FAILED: 1,
            Delivery.BLOCKED: 3,
        }
        assert uow.outbox.has("r")


def a_b_sending_c_pending(uow_factory) -> dict[str, int]:
    """Three messages "a", "b", "c"; "a" and "b" marked ``SENDING``; their ids by key."""
    with uow_factory() as uow:
        uow.outbox.add(
            [message(key, chat_id=chat) for key, chat in (("a", 1), ("b", 2), ("c", 3))], NOW
        )
        uow.commit()
    with uow_factory() as uow:
        ids = {q.message.key: q.id for q in uow.outbox.claim(NOW, 10)}
        uow.outbox.start_sending([ids["a"], ids["b"]], NOW)
        uow.commit()
    return ids


def test_messages_being_sent_are_not_claimed_again_and_a_restart_settles_them(uow_factory):
    ids = a_b_sending_c_pending(uow_factory)
    with uow_factory() as uow:
        assert [q.message.key for q in uow.outbox.claim(NOW, 10)] == ["c"]
        uow.outbox.retry_later(ids["b"], NOW + timedelta(seconds=5), "TimedOut")  # pending again
        uow.outbox.give_up(ids["c"], Delivery.FAILED, NOW, "BadRequest")
        uow.outbox.start_sending([ids["c"]], NOW)  # only pending messages start
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.counts() == {
            Delivery.SENDING: 1, Delivery.PENDING: 1, Delivery.FAILED: 1
        }  # fmt: skip
        assert uow.outbox.settle_interrupted(NOW) == 1
        assert uow.outbox.settle_interrupted(NOW) == 0
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.counts() == {
            Delivery.UNKNOWN: 1, Delivery.PENDING: 1, Delivery.FAILED: 1
        }  # fmt: skip
        assert [q.message.key for q in uow.outbox.claim(NOW + timedelta(seconds=5), 10)] == ["b"]


def test_a_restart_requeues_what_the_journal_shows_unwritten(uow_factory):
    ids = a_b_sending_c_pending(uow_factory)
    with uow_factory() as uow:
        # "c" is pending (armed, the mark never committed), 10**9 does not exist: untouched
        assert uow.outbox.requeue_unwritten({ids["a"], ids["c"], 10**9}) == 1
        assert uow.outbox.settle_interrupted(NOW) == 1  # "b": may have arrived
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.counts() == {Delivery.PENDING: 2, Delivery.UNKNOWN: 1}
        assert sorted(q.message.key for q in uow.outbox.claim(NOW, 10)) == ["a", "c"]


def test_due_messages_to_people_who_blocked_the_bot_are_closed_unsent(uow_factory):
    later = NOW + timedelta(hours=1)
    with uow_factory() as uow:
        for user_id in (1, 2):
            uow.people.save(Person(user_id, f"P{user_id}", None, Lang.ZH), NOW)
        uow.people.set_blocked(1, True, NOW)
        uow.outbox.add(
            [
                message("blocked-due", chat_id=1, user_id=1),
                message("blocked-later", chat_id=1, at=later, user_id=1),
                message("blocked-sent", chat_id=1, user_id=1),
                message("open", chat_id=2, user_id=2),
                message("group", chat_id=-100),
            ],
            NOW,
        )
        uow.commit()
    with uow_factory() as uow:
        ids = {q.message.key: q.id for q in uow.outbox.claim(NOW, 10)}
        uow.outbox.mark_sent(ids["blocked-sent"], NOW, 7)
        assert uow.outbox.close_blocked(NOW) == 1
        assert uow.outbox.close_blocked(NOW) == 0
        uow.commit()
    with uow_factory() as uow:
        assert [q.message.key for q in uow.outbox.claim(NOW, 10)] == ["open", "group"]
        assert uow.outbox.counts() == {
            Delivery.BLOCKED: 1, Delivery.SENT: 1, Delivery.PENDING: 3
        }  # fmt: skip
        assert uow.outbox.close_blocked(later) == 1  # its time came
        assert [q.message.key for q in uow.outbox.claim(later, 10)] == ["open", "group"]


def test_sending_marks_and_sent_records_find_their_rows_by_primary_key(database):
    # The outbox keeps every message ever sent, so a plan that reads the whole table, or every
    # pending row, for each transaction of a push grows with history. Without statistics
    # SQLite would serve ``id IN (…) AND state = …`` from the state index, and PostgreSQL would
    # join the JSON rows of ``mark_sent_many`` by reading the whole outbox.
    queued = 3000  # enough pages that reading them all costs more than an index, to a planner
    with database.unit_of_work() as uow:
        uow.outbox.add([message(f"k{i}", chat_id=i) for i in range(queued)], NOW)
        uow.commit()
    statements: list[tuple[str, object]] = []

    def keep(_conn, _cursor, statement, parameters, _context, many):
        if statement.startswith("UPDATE outbox"):
            statements.append((statement, parameters[0] if many else parameters))

    event.listen(database.engine, "before_cursor_execute", keep)
    with database.unit_of_work() as uow:
        claimed = uow.outbox.claim(NOW, 3)
        uow.outbox.start_sending([q.id for q in claimed], NOW)
        uow.outbox.mark_sent_many((q.id, NOW, 100 + q.id) for q in claimed[:2])
        uow.commit()
    event.remove(database.engine, "before_cursor_execute", keep)
    assert len(statements) == 2
    primary_key = (
        "USING INTEGER PRIMARY KEY" if database.engine.dialect.name == "sqlite" else "pk_outbox"
    )
    with database.engine.connect() as connection:
        for statement, parameters in statements:
            plan = _plan(connection, statement, parameters)
            assert primary_key in plan, plan
            assert "Seq Scan on outbox" not in plan and "(state=?)" not in plan, plan
    with database.unit_of_work() as uow:
        assert uow.outbox.counts() == {
            Delivery.SENT: 2, Delivery.SENDING: 1, Delivery.PENDING: queued - 3
        }  # fmt: skip


def _plan(connection, statement: str, parameters: object) -> str:
    if connection.dialect.name == "sqlite":
        rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)
        return " / ".join(str(row[-1]) for row in rows)
    rows = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)
    return " / ".join(str(row[0]) for row in rows)


def test_many_messages_are_marked_sent_in_one_call(uow_factory):
    with uow_factory() as uow:
        uow.outbox.add([message(f"k{i}", chat_id=i) for i in range(5)], NOW)
        uow.commit()
    with uow_factory() as uow:
        claimed = uow.outbox.claim(NOW, 10)
        uow.outbox.mark_sent_many((q.id, NOW, 1000 + i) for i, q in enumerate(claimed[:3]))
        uow.outbox.mark_sent_many([])
        uow.commit()
    with uow_factory() as uow:
        assert uow.outbox.counts() == {Delivery.SENT: 3, Delivery.PENDING: 2}
        assert [q.message.key for q in uow.outbox.claim(NOW, 10)] == ["k3", "k4"]


def test_the_outbox_is_rolled_back_with_the_transaction(uow_factory):
    with uow_factory() as uow:
        uow.outbox.add([message("a")], NOW)
    with uow_factory() as uow:
        assert not uow.outbox.has("a")
        assert uow.outbox.counts() == {}


def test_an_update_is_marked_once_and_pruned_later(uow_factory):
    with uow_factory() as uow:
        assert uow.updates.mark(1001, NOW) is True
        assert uow.updates.mark(1001, NOW) is False
        assert uow.updates.mark(1002, NOW + timedelta(hours=1)) is True
        uow.commit()
    with uow_factory() as uow:
        assert uow.updates.mark(1001, NOW + timedelta(hours=2)) is False
        assert uow.updates.mark(2**40, NOW + timedelta(hours=2)) is True  # ids are 64-bit
        uow.commit()
    with uow_factory() as uow:
        assert uow.updates.prune(NOW + timedelta(hours=1)) == 1  # strictly before
        assert uow.updates.prune(NOW + timedelta(hours=1)) == 0
        uow.commit()
    with uow_factory() as uow:
        assert uow.updates.mark(1001, NOW + timedelta(hours=3)) is True  # forgotten
        assert uow.updates.mark(1002, NOW + timedelta(hours=3)) is False
        assert uow.updates.mark(2**40, NOW + timedelta(hours=3)) is False


def test_naive_times_are_refused_by_the_outbox(database):
    naive = datetime(2026, 11, 23, 9, 0)  # noqa: DTZ001
    with database.unit_of_work() as uow, pytest.raises(Exception, match="naive"):
        uow.outbox.add([message("a", at=naive)], NOW)
    with database.unit_of_work() as uow, pytest.raises(Exception, match="naive"):
        uow.outbox.add([message("a")], naive)
