"""The topic Job, the producer and the consumer, correct by default; pinned on the rendered output."""

from __future__ import annotations

from tests.helpers import (
    container,
    find,
    properties,
    render_stack,
    script_params,
    topic_job,
)


def test_auto_topic_creation_is_off_and_the_topic_is_created_by_a_job():
    rendered = render_stack("dev")
    props = properties(find(rendered, "ConfigMap", "kafka-config")["data"]["server.properties"])
    assert props["auto.create.topics.enable"] == "false"
    job = topic_job(rendered)
    assert container(job)["command"] == ["bash", "/etc/kafka-clients/create-topic.sh"]
    params = script_params(rendered, "topic-script")
    assert (params["TOPIC"], params["PARTITIONS"], params["REPLICATION_FACTOR"], params["MIN_INSYNC_REPLICAS"]) == (
        "events",
        "3",
        "1",
        "1",
    )


def test_topic_job_is_renamed_when_the_topic_spec_or_the_cluster_changes():
    """A new name runs the job again: for a new topic spec, and for a new cluster behind the same broker
    names (a mode switch, another cluster id), which would otherwise have no topic."""

    def name(overrides: list[str]) -> str:
        return topic_job(render_stack("dev", overrides))["metadata"]["name"]

    assert name([]) == name([])
    assert name([]) != name(["topic.partitions=6"])
    assert name([]) != name(["mode=kraft"])
    assert name(["mode=kraft"]) != name(["mode=kraft", "kafka.clusterId=AAAAAAAAAAAAAAAAAAAAAA"])
    assert name([]).startswith("topic-events-")


def test_producer_is_one_long_lived_process_with_acks_and_idempotence():
    """One console producer fed by a loop (tests/unit/shell runs producer.sh), acks=all, idempotent."""
    rendered = render_stack("dev")
    params = script_params(rendered, "producer-script")
    assert (params["ACKS"], params["IDEMPOTENCE"], params["INTERVAL_SECONDS"], params["KEY_COUNT"]) == ("all", "true", "5", "0")
    deployment = find(rendered, "Deployment", "producer")
    assert deployment["spec"]["replicas"] == 1 and deployment["spec"]["strategy"]["type"] == "Recreate"


def test_producer_keys_and_acks_are_configurable():
    assert script_params(render_stack("prod"), "producer-script")["KEY_COUNT"] == "12"
    relaxed = script_params(render_stack("dev", ["producer.acks='1'", "producer.idempotence=false"]), "producer-script")
    assert relaxed["ACKS"] == "1" and relaxed["IDEMPOTENCE"] == "false"


def test_consumer_defaults_to_a_group_with_committed_offsets():
    rendered = render_stack("dev")
    assert script_params(rendered, "consumer-script")["GROUP_ID"] == "events-consumer"
    deployment = find(rendered, "Deployment", "consumer")
    assert deployment["metadata"]["name"] == "consumer", "the seed's kubectl scale deployment consumer works"


def test_consumer_from_beginning_reproduces_the_seed():
    """No group: consumer.sh then reads the whole topic on every start (tests/unit/shell)."""
    assert script_params(render_stack("dev", ["consumer.fromBeginning=true"]), "consumer-script")["GROUP_ID"] == ""
