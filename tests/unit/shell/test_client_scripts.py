"""create-topic.sh, producer.sh and consumer.sh, run with bash against fake Kafka tools."""

from __future__ import annotations

import re
import signal
import subprocess
import time

from .harness import TIMEOUT, broker_port, free_port

# The first address answers (a listener standing in for a broker), the second does not resolve.
BOOTSTRAP = f"127.0.0.1:{broker_port()},kafka-1.kafka.demo.svc.cluster.local:9092"
DESCRIBE = "Topic: events\tTopicId: q8AXbG5lQTWkYmjN0GSHzA\tPartitionCount: {partitions}\tReplicationFactor: {rf}\tConfigs: min.insync.replicas=2\n"
PARTITION = "\tTopic: events\tPartition: 0\tLeader: 1\tReplicas: 1,2,0\tIsr: 1,2,0\n"
TIMESTAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"

# kafka-topics.sh: --create fails the first <fail_creates> times, then says it created the topic if $STATE/new
# exists (as Kafka's tool does for a new topic) and nothing otherwise (it existed: --if-not-exists);
# --describe and --list fail the first <fail_describes> times, then print $STATE/describe (--list: its name).
FAKE_TOPICS = """
count() {{ local n; n="$(cat "$STATE/$1" 2>/dev/null || echo 0)"; echo $((n + 1)) >"$STATE/$1"; echo "$n"; }}
case " $* " in
  *" --create "*) [ "$(count creates)" -ge {fail_creates} ] || {{ echo "not enough brokers" >&2; exit 1; }}
                  if [ -f "$STATE/new" ]; then echo "Created topic events."; fi ;;
  *" --describe "*) [ "$(count describes)" -ge {fail_describes} ] || {{ echo "unknown topic" >&2; exit 1; }}
                    cat "$STATE/describe" ;;
  *" --list "*) [ "$(count describes)" -ge {fail_describes} ] || {{ echo "unknown topic" >&2; exit 1; }}
                echo events ;;
esac
"""


def fake_topics(sandbox, describe, fail_creates=0, fail_describes=0):
    (sandbox.state / "describe").write_text(describe)
    sandbox.fake("kafka-topics.sh", FAKE_TOPICS.format(fail_creates=fail_creates, fail_describes=fail_describes))


def common_params(sandbox):
    return {
        "BOOTSTRAP_SERVERS": BOOTSTRAP,
        "CLIENT_CONFIG": "",
        "KAFKA_HOME": str(sandbox.kafka_home),
        "POLL_SECONDS": 0.01,
        "TOPIC": "events",
    }


# --- create-topic.sh -------------------------------------------------------------------------


def topic_params(sandbox, partitions=3, rf=3, min_isr=2):
    return {**common_params(sandbox), "PARTITIONS": partitions, "REPLICATION_FACTOR": rf, "MIN_INSYNC_REPLICAS": min_isr}


def run_create_topic(sandbox, describe, **params):
    sandbox.fake("kafka-configs.sh")
    sandbox.install(["create-topic.sh"], topic_params(sandbox, **params))
    fake_topics(sandbox, describe, fail_creates=2)
    return sandbox.run("create-topic.sh")


def topic_actions(sandbox):
    return [call[call.index("--bootstrap-server") + 2] for call in sandbox.calls("kafka-topics.sh")]


def test_create_topic_retries_creation_then_sets_min_isr(sandbox):
    result = run_create_topic(sandbox, DESCRIBE.format(partitions=3, rf=3) + PARTITION)
    assert result.returncode == 0, result.stderr
    create = [
        "--bootstrap-server",
        BOOTSTRAP,
        "--create",
        "--if-not-exists",
        "--topic",
        "events",
        "--partitions",
        "3",
        "--replication-factor",
        "3",
        "--config",
        "min.insync.replicas=2",
    ]
    assert sandbox.calls("kafka-topics.sh") == [
        create,
        create,
        create,
        ["--bootstrap-server", BOOTSTRAP, "--describe", "--topic", "events"],
    ]
    assert result.stdout.count("[topic] cluster not ready to create 'events' (RF 3) yet; retrying") == 2
    assert sandbox.calls("kafka-configs.sh") == [
        [
            "--bootstrap-server",
            BOOTSTRAP,
            "--alter",
            "--entity-type",
            "topics",
            "--entity-name",
            "events",
            "--add-config",
            "min.insync.replicas=2",
        ]
    ]
    assert "[topic] 'events' ready: 3 partitions, replication factor 3, min.insync.replicas 2" in result.stdout


def test_create_topic_grows_partitions(sandbox):
    result = run_create_topic(sandbox, DESCRIBE.format(partitions=2, rf=3) + PARTITION, partitions=6)
    assert result.returncode == 0, result.stderr
    assert topic_actions(sandbox) == ["--create"] * 3 + ["--describe", "--alter"]
    assert sandbox.calls("kafka-topics.sh")[-1] == [
        "--bootstrap-server",
        BOOTSTRAP,
        "--alter",
        "--topic",
        "events",
        "--partitions",
        "6",
    ]
    assert "[topic] growing 'events' from 2 to 6 partitions (keys may map to new partitions)" in result.stdout
    assert len(sandbox.calls("kafka-configs.sh")) == 1


def test_the_topic_jobs_tools_run_as_short_lived_tools_with_the_jobs_heap(sandbox):
    sandbox.fake("kafka-configs.sh")
    sandbox.install(["create-topic.sh"], topic_params(sandbox))
    fake_topics(sandbox, DESCRIBE.format(partitions=3, rf=3) + PARTITION)
    result = sandbox.run("create-topic.sh", {"KAFKA_HEAP_OPTS": "-Xms128m -Xmx128m"})
    assert result.returncode == 0, result.stderr
    tool = "heap=-Xms128m -Xmx128m jvm=-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Djava.awt.headless=true"
    assert sandbox.jvm("kafka-topics.sh") == [tool, tool] and sandbox.jvm("kafka-configs.sh") == [tool]


def test_a_topic_created_just_now_needs_no_other_tool(sandbox):
    """Kafka created it with the partitions, replication factor and min ISR asked for: no describe, no
    alter, no config call (each a JVM the clients' first events would wait for)."""
    (sandbox.state / "new").touch()
    result = run_create_topic(sandbox, DESCRIBE.format(partitions=1, rf=1) + PARTITION)
    assert result.returncode == 0, result.stderr
    assert topic_actions(sandbox) == ["--create"] * 3 and sandbox.calls("kafka-configs.sh") == []
    assert "Created topic events." in result.stdout
    assert "[topic] 'events' ready: 3 partitions, replication factor 3, min.insync.replicas 2" in result.stdout


def test_create_topic_refuses_to_shrink(sandbox):
    result = run_create_topic(sandbox, DESCRIBE.format(partitions=6, rf=3), partitions=3)
    assert result.returncode == 1
    assert "[topic] 'events' has 6 partitions, config asks for 3: Kafka cannot remove partitions" in result.stderr
    assert "--alter" not in topic_actions(sandbox) and sandbox.calls("kafka-configs.sh") == []


def test_create_topic_refuses_a_replication_factor_change(sandbox):
    result = run_create_topic(sandbox, DESCRIBE.format(partitions=3, rf=1), rf=3)
    assert result.returncode == 1
    assert "[topic] 'events' has replication factor 1, config asks for 3:" in result.stderr
    assert "partition reassignment (kafka-reassign-partitions.sh)" in result.stderr
    assert "--alter" not in topic_actions(sandbox) and sandbox.calls("kafka-configs.sh") == []


def test_create_topic_refuses_a_description_it_cannot_read(sandbox):
    result = run_create_topic(sandbox, "Topic: events\tsomething else entirely\n")
    assert result.returncode == 1
    assert "[topic] no PartitionCount in the description of 'events'" in result.stderr
    assert sandbox.calls("kafka-configs.sh") == []


# --- producer.sh -----------------------------------------------------------------------------


def run_producer(sandbox, key_count, lines=4, env=None):
    """The producer against a console producer that reads `lines` lines and exits, which ends the
    script through pipefail, as in the pod."""
    fake_topics(sandbox, DESCRIBE.format(partitions=3, rf=3) + PARTITION, fail_describes=2)
    sandbox.fake("kafka-console-producer.sh", f'head -n {lines} >"$STATE/producer.stdin"')
    sandbox.install(
        ["producer.sh"],
        {**common_params(sandbox), "ACKS": "all", "IDEMPOTENCE": True, "INTERVAL_SECONDS": 0.01, "KEY_COUNT": key_count},
    )
    result = sandbox.run("producer.sh", env)
    sent = (sandbox.state / "producer.stdin").read_text().splitlines()
    return result, sent


def producer_argv(pod_name="producer"):
    return [
        "--bootstrap-server",
        BOOTSTRAP,
        "--topic",
        "events",
        "--producer-property",
        "acks=all",
        "--producer-property",
        "enable.idempotence=true",
        "--producer-property",
        f"client.id={pod_name}",
    ]


def test_producer_sends_keyed_events_round_robin(sandbox):
    result, sent = run_producer(sandbox, key_count=3, env={"POD_NAME": "producer-7d9f-x2"})
    assert result.returncode != 0  # the console producer went away: pipefail ends the script
    keys = [line.split("|", 1)[0] for line in sent]
    assert keys == ["order-1", "order-2", "order-3", "order-1"]
    for number, line in enumerate(sent, 1):
        assert re.fullmatch(rf"order-\d\|event-{number}: order-placed at {TIMESTAMP}", line), line
    assert sandbox.calls("kafka-console-producer.sh") == [
        producer_argv("producer-7d9f-x2") + ["--property", "parse.key=true", "--property", "key.separator=|", "--timeout", "100"]
    ]
    assert re.search(rf"^\[producer\] Sent: event-1: order-placed at {TIMESTAMP} \(key order-1\)$", result.stderr, re.M)
    assert (
        "[producer] Starting producer, sending to topic 'events' every 0.01s (acks=all, idempotence=true, keys: 3)"
        in result.stdout
    )


def test_producer_sends_plain_events_without_keys(sandbox):
    result, sent = run_producer(sandbox, key_count=0)
    assert result.returncode != 0
    assert len(sent) == 4
    for number, line in enumerate(sent, 1):
        assert re.fullmatch(rf"event-{number}: order-placed at {TIMESTAMP}", line), line
    # Without POD_NAME the client id falls back to "producer".
    assert sandbox.calls("kafka-console-producer.sh") == [producer_argv() + ["--timeout", "100"]]
    # The line the cluster tests grep for.
    assert re.search(rf"^\[producer\] Sent: event-1: order-placed at {TIMESTAMP}$", result.stderr, re.M)
    assert "(acks=all, idempotence=true, keys: none)" in result.stdout


def test_producer_waits_for_the_topic_before_its_first_event(sandbox):
    """The console producer's first line comes only once the topic is listed (the fake console producer
    records how many times the topic had been asked for when it read that line: the third time, after two
    answers without it)."""
    fake_topics(sandbox, DESCRIBE.format(partitions=3, rf=3) + PARTITION, fail_describes=2)
    sandbox.fake("kafka-console-producer.sh", 'head -n 1 >"$STATE/producer.stdin"; cat "$STATE/describes" >"$STATE/asked"')
    sandbox.install(
        ["producer.sh"],
        {**common_params(sandbox), "ACKS": "all", "IDEMPOTENCE": True, "INTERVAL_SECONDS": 0.01, "KEY_COUNT": 0},
    )
    result = sandbox.run("producer.sh")
    waiting = f"[producer] waiting for topic 'events' on {BOOTSTRAP}"
    assert result.stderr.count(waiting) == 2 and "[producer] Starting producer" in result.stdout
    assert len(sandbox.calls("kafka-topics.sh")) == 3
    assert (sandbox.state / "asked").read_text().strip() == "3"
    assert (sandbox.state / "producer.stdin").read_text().startswith("event-1: order-placed at ")


def test_producer_passes_sigterm_on_to_the_console_producer(sandbox):
    """In its pod the script is PID 1, which the kernel gives no SIGTERM it has no handler for: it handles
    it, and the console producer gets it (and exits, flushing), instead of the pod being killed after its
    grace period. Here the script is not PID 1: without the handler SIGTERM would end bash and leave the
    console producer running, never told."""
    fake_topics(sandbox, DESCRIBE.format(partitions=3, rf=3) + PARTITION)
    sandbox.fake(
        "kafka-console-producer.sh",
        'trap \'echo TERM >"$STATE/producer.signal"; exit 143\' TERM\nwhile read -r line; do echo "$line" >>"$STATE/producer.stdin"; done',
    )
    sandbox.install(
        ["producer.sh"],
        {**common_params(sandbox), "ACKS": "all", "IDEMPOTENCE": True, "INTERVAL_SECONDS": 0.05, "KEY_COUNT": 0},
    )
    script = subprocess.Popen(
        ["bash", str(sandbox.config / "producer.sh")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while not (sandbox.state / "producer.stdin").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (sandbox.state / "producer.stdin").exists(), "no event reached the console producer"
        script.send_signal(signal.SIGTERM)
        assert script.wait(timeout=10) == 143
    finally:
        script.kill()
    assert (sandbox.state / "producer.signal").read_text().strip() == "TERM"


def test_with_client_settings_the_console_producer_starts_only_once_the_topic_is_listed(sandbox):
    """With SCRAM a producer started before its user and ACLs exist fails its sends for good: it starts only
    after the topic is listed with its settings (the fake records how many times the topic had been asked
    for when it started: the third time, after two answers without it)."""
    fake_topics(sandbox, DESCRIBE.format(partitions=3, rf=3) + PARTITION, fail_describes=2)
    sandbox.fake("kafka-console-producer.sh", 'cat "$STATE/describes" >"$STATE/asked"; head -n 1 >/dev/null')
    sandbox.install(
        ["producer.sh"],
        {
            **common_params(sandbox),
            "CLIENT_CONFIG": "/etc/kafka-client/client.properties",
            "ACKS": "all",
            "IDEMPOTENCE": True,
            "INTERVAL_SECONDS": 0.01,
            "KEY_COUNT": 0,
        },
    )
    sandbox.run("producer.sh")
    assert (sandbox.state / "asked").read_text().strip() == "3"


def test_clients_wait_for_a_broker_without_starting_a_kafka_tool(sandbox):
    """Until a broker answers, producer and consumer wait in bash alone: no Kafka tool (a JVM) runs."""
    fake_topics(sandbox, DESCRIBE.format(partitions=3, rf=3) + PARTITION)
    sandbox.fake("kafka-console-producer.sh")
    sandbox.fake("kafka-console-consumer.sh")
    nobody = f"127.0.0.1:{free_port()}"
    params = {**common_params(sandbox), "BOOTSTRAP_SERVERS": nobody}
    sandbox.install(
        ["producer.sh", "consumer.sh"],
        {**params, "ACKS": "all", "IDEMPOTENCE": True, "INTERVAL_SECONDS": 1, "KEY_COUNT": 0, "GROUP_ID": ""},
    )
    for script in ("producer.sh", "consumer.sh"):
        result = subprocess.run(
            ["timeout", "3", "bash", str(sandbox.config / script)], capture_output=True, text=True, timeout=TIMEOUT
        )
        assert result.returncode == 124, f"{script} ended while no broker answers:\n{result.stderr}"
        assert result.stderr.count(f"waiting for a broker of {nobody}") == 1, result.stderr
    assert not sandbox.calls("kafka-topics.sh") and not sandbox.calls("kafka-console-producer.sh")
    assert not sandbox.calls("kafka-console-consumer.sh")


# --- consumer.sh -----------------------------------------------------------------------------

CONSUMER_TAIL = ["--property", "print.partition=true", "--property", "print.offset=true", "--property", "print.key=true"]


def run_consumer(sandbox, group_id, env=None):
    fake_topics(sandbox, DESCRIBE.format(partitions=3, rf=3) + PARTITION, fail_describes=1)
    sandbox.fake("kafka-console-consumer.sh")
    sandbox.install(["consumer.sh"], {**common_params(sandbox), "GROUP_ID": group_id})
    result = sandbox.run("consumer.sh", env)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count(f"[consumer] waiting for topic 'events' on {BOOTSTRAP}") == 1
    return result


def test_consumer_in_a_group(sandbox):
    result = run_consumer(sandbox, "events-consumer", env={"POD_NAME": "consumer-abc"})
    assert sandbox.calls("kafka-console-consumer.sh") == [
        [
            "--bootstrap-server",
            BOOTSTRAP,
            "--topic",
            "events",
            "--group",
            "events-consumer",
            "--from-beginning",
            "--consumer-property",
            "enable.auto.commit=true",
            "--consumer-property",
            "auto.commit.interval.ms=1000",
            "--consumer-property",
            "client.id=consumer-abc",
            *CONSUMER_TAIL,
        ]
    ]
    assert (
        "[consumer] Starting consumer, reading topic 'events' in consumer group 'events-consumer' from its committed offsets"
        in result.stdout
    )


def test_consumer_without_a_group_reads_from_the_beginning(sandbox):
    result = run_consumer(sandbox, "")
    assert sandbox.calls("kafka-console-consumer.sh") == [
        [
            "--bootstrap-server",
            BOOTSTRAP,
            "--topic",
            "events",
            "--from-beginning",
            "--consumer-property",
            "client.id=consumer",
            *CONSUMER_TAIL,
        ]
    ]
    assert (
        "[consumer] Starting consumer, reading topic 'events' from the beginning "
        "(no consumer group, re-reads everything on every start)"
    ) in result.stdout


# --- a secured cluster: CLIENT_CONFIG ----------------------------------------------------------


def test_with_client_settings_every_tool_gets_them(sandbox):
    """CLIENT_CONFIG set: the topic job's admin tools get --command-config, the producer --producer.config
    (and the wait for the topic lists it with the same settings); empty, none (the calls above)."""
    settings = "/etc/kafka-client/client.properties"
    sandbox.fake("kafka-configs.sh")
    sandbox.install(["create-topic.sh"], {**topic_params(sandbox), "CLIENT_CONFIG": settings})
    fake_topics(sandbox, DESCRIBE.format(partitions=3, rf=3) + PARTITION)
    assert sandbox.run("create-topic.sh").returncode == 0
    for call in sandbox.calls("kafka-topics.sh") + sandbox.calls("kafka-configs.sh"):
        assert call[:2] == ["--command-config", settings], call

    sandbox.fake("kafka-console-producer.sh", "head -n 1 >/dev/null")
    sandbox.install(
        ["producer.sh"],
        {
            **common_params(sandbox),
            "CLIENT_CONFIG": settings,
            "ACKS": "all",
            "IDEMPOTENCE": True,
            "INTERVAL_SECONDS": 0.01,
            "KEY_COUNT": 0,
        },
    )
    sandbox.run("producer.sh")
    [producer] = sandbox.calls("kafka-console-producer.sh")
    assert producer[producer.index("--producer.config") + 1] == settings
    lists = [call for call in sandbox.calls("kafka-topics.sh") if "--list" in call]
    assert lists and all(call[:2] == ["--command-config", settings] for call in lists)
