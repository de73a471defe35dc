"""Two nodes behind HAProxy, a worker, PostgreSQL, Redis and the sandbox as real processes: every
message reaches its widget exactly once while nodes, the worker and Redis fail.

Each scenario counts, per widget, the messages its HTTP history holds that it never showed
(missed) and the messages the history holds twice (duplicated); both must be 0.
"""

from __future__ import annotations

import asyncio
import signal

import pytest

from relaydesk import events

from ..support import wait_for
from .cluster import Cluster, Node
from .widget import Widget
from .world import QUESTIONS, Tally, World, settled, tally

pytestmark = pytest.mark.timeout(240)


def other(cluster: Cluster, name: str | None) -> Node:
    return next(node for node in cluster.nodes if node.name != name)


async def ask(widgets: list[Widget], question: int) -> None:
    await asyncio.gather(
        *(w.send(f"{QUESTIONS[question % len(QUESTIONS)]} (#{question}, {w.visitor_id[:6]})")
          for w in widgets)
    )  # fmt: skip


async def ask_elsewhere(
    world: World, cluster: Cluster, widgets: list[Widget], question: int
) -> None:
    """`ask`, each widget posting past the balancer to the node not holding its socket: the
    answer is written there (the embedded brain answers in the POST), so its frame has to cross
    Redis to reach the widget."""
    clients = {node.name: world.direct(node) for node in cluster.nodes}
    through = [w.http for w in widgets]
    try:
        for widget in widgets:
            widget.http = clients[other(cluster, widget.node).name]
        await ask(widgets, question)
    finally:
        for widget, http in zip(widgets, through, strict=True):
            widget.http = http
        await asyncio.gather(*(client.aclose() for client in clients.values()))


async def close_all(widgets: list[Widget]) -> None:
    await asyncio.gather(*(w.close() for w in widgets))


async def test_a_visitor_on_one_node_posting_through_the_other_gets_every_answer(
    world: World, cluster: Cluster
) -> None:
    widgets = await world.widgets(8)
    assert {w.node for w in widgets} == {"node1", "node2"}  # the balancer spread the sockets
    unrouted = {
        n.name: cluster.metrics(n)["relaydesk_realtime_frames_unrouted"] for n in cluster.nodes
    }
    for question in range(3):
        for widget in widgets:
            async with world.direct(other(cluster, widget.node)) as node_b:
                widget.http = node_b
                await widget.send(f"{QUESTIONS[question]} (#{question}, {widget.visitor_id[:6]})")
            widget.http = world.http
    counted = await settled(widgets)
    assert counted.messages == 8 * 3 * 2
    assert (counted.missed, counted.duplicated, counted.unanswered) == ([], [], 0), counted
    # Each node subscribed to its own sockets' channels only: no frame reached a node in vain.
    for node in cluster.nodes:
        metrics = cluster.metrics(node)
        assert metrics["relaydesk_realtime_frames_received"] > 0
        assert metrics["relaydesk_realtime_frames_unrouted"] == unrouted[node.name]
    await close_all(widgets)


async def test_rep_replies_arriving_at_either_node_reach_the_visitor(
    world: World, cluster: Cluster
) -> None:
    widgets = await world.widgets(4, world.hubspot_key)
    for widget in widgets:
        await widget.send(f"I want to talk to a person please ({widget.visitor_id[:6]})")
    threads = {}
    for widget in widgets:
        assert widget.conversation_id
        await wait_for(lambda c=widget.conversation_id: world.handed_off(c), timeout=60)
        threads[widget.visitor_id] = await world.thread_of(widget.conversation_id)
    received = {node.name: _channel_webhooks(cluster, node) for node in cluster.nodes}
    replies = []
    for n in range(3):
        for widget in widgets:
            text = f"Rep reply {n} for {widget.visitor_id[:6]}"
            replies.append(await world.rep_reply(str(threads[widget.visitor_id]), text))
    counted = await settled(widgets, answered=False, rep_replies=12)
    assert (counted.missed, counted.duplicated, counted.rep_replies) == ([], [], 12), counted
    for widget in widgets:
        assert len(widget.shown_with_role("agent")) == 3
    for node in cluster.nodes:  # the balancer sent webhooks to both nodes
        assert _channel_webhooks(cluster, node) > received[node.name], node.name
    for reply in replies:  # online anywhere in the cluster: SENT, once
        assert await wait_for(lambda r=reply: world.status_reports(r["id"])) == ["SENT"]
    await close_all(widgets)


def _channel_webhooks(cluster: Cluster, node: Node) -> float:
    return sum(
        value
        for name, value in cluster.metrics(node).items()
        if name.startswith("relaydesk_hubspot_webhook_events_total") and 'outcome="new"' in name
    )


async def test_the_node_holding_the_socket_is_killed_and_the_widget_misses_nothing(
    world: World, cluster: Cluster
) -> None:
    widgets = await world.widgets(6)
    victim = cluster.node_named(str(widgets[0].node))
    moved = [w for w in widgets if w.node == victim.name]
    sockets = {w.visitor_id: w.sockets for w in widgets}
    await ask(widgets, 0)
    await settled(widgets)
    # Mid-conversation: questions posted, their answers on their way, and the node goes.
    await ask(widgets, 1)
    victim.process.kill(signal.SIGKILL)
    await ask(widgets, 2)
    for widget in moved:
        await widget.reconnected(after=sockets[widget.visitor_id])
        assert widget.node == other(cluster, victim.name).name
    await ask(widgets, 3)
    counted = await settled(widgets, timeout=60)
    assert counted.messages == 6 * 4 * 2
    assert (counted.missed, counted.duplicated, counted.unanswered) == ([], [], 0), counted
    await close_all(widgets)
    await asyncio.to_thread(cluster.restart_node, victim)


async def test_redis_restarts_mid_run_and_no_reply_is_lost(world: World, cluster: Cluster) -> None:
    widgets = await world.widgets(6)
    await ask(widgets, 0)
    await settled(widgets)
    resyncs = {n.name: cluster.metrics(n)["relaydesk_realtime_resyncs"] for n in cluster.nodes}
    await ask(widgets, 1)  # the worker publishes these answers as Redis goes down
    cluster.redis.stop()
    # Answered while Redis is down, by the node without the widget's socket: the frames go nowhere.
    await ask_elsewhere(world, cluster, widgets, 2)
    during = await wait_for(lambda: _answered(widgets), timeout=20)
    assert during.missed, during  # the answers exist, the widgets have not seen them
    await asyncio.to_thread(cluster.restart_redis)
    counted = await settled(widgets, timeout=60)
    assert counted.messages == 6 * 3 * 2
    assert (counted.missed, counted.duplicated, counted.unanswered) == ([], [], 0), counted
    for node in cluster.nodes:
        metrics = cluster.metrics(node)
        assert metrics["relaydesk_realtime_connected"] == 1
        assert metrics["relaydesk_realtime_resyncs"] > resyncs[node.name]
    assert all(w.sockets == 1 for w in widgets)  # told to catch up in place, not reconnected
    await close_all(widgets)


async def _answered(widgets: list[Widget]) -> Tally | None:
    counted = await tally(widgets)
    return counted if counted.unanswered == 0 else None


async def test_the_worker_is_killed_mid_handoff_and_the_handoff_completes_once(
    world: World, cluster: Cluster
) -> None:
    [widget] = await world.widgets(1, world.hubspot_key)
    await widget.send("What does the Team plan cost?")
    await widget.send("I would like to speak to a human agent")
    conversation = str(widget.conversation_id)
    (await world.sandbox.post("/_sandbox/faults", json={"latency_ms": 400})).raise_for_status()
    try:
        await wait_for(lambda: _running(world, conversation), timeout=30)
        await wait_for(lambda: _contact_made(world, conversation), timeout=30)
        cluster.worker.kill(signal.SIGKILL)
        assert await world.job_states(events.HUBSPOT_HANDOFF, conversation) == ["running"]
        cluster.worker.start()
        await wait_for(lambda: world.handed_off(conversation), timeout=90)
    finally:
        (await world.sandbox.post("/_sandbox/faults", json={"latency_ms": 0})).raise_for_status()
    state = await world.sandbox_state()
    [thread] = [t for t in state["threads"] if t["integrationThreadId"] == conversation]
    texts = [m["text"] for m in thread["messages"]]
    assert len(texts) == len(set(texts)) >= 4 and len(thread["comments"]) == 1
    tickets = [
        t
        for t in state["tickets"]
        if t["properties"].get("relaydesk_conversation_id") == conversation
    ]
    assert len(tickets) == 1
    contacts = [
        c for c in state["contacts"]
        if c["properties"].get("relaydesk_visitor_id") == widget.visitor_id
    ]  # fmt: skip
    assert len(contacts) == 1
    reply = await world.rep_reply(thread["id"], "A person here: how can I help?")
    counted = await settled([widget], answered=False, rep_replies=1)
    assert (counted.missed, counted.duplicated, counted.rep_replies) == ([], [], 1), counted
    assert [m["text"] for m in widget.shown_with_role("agent")] == [reply["text"]]
    await widget.close()


async def _running(world: World, conversation: str) -> bool:
    return await world.job_states(events.HUBSPOT_HANDOFF, conversation) == ["running"]


async def _contact_made(world: World, conversation: str) -> bool:
    """Mid-handoff: the contact exists in HubSpot, the thread, ticket and note do not yet."""
    steps = await world.sync_steps(conversation)
    return steps.get("contact") == "done" and steps.get("note") != "done"
