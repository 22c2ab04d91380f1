"""Stand-ins for the scripts the apache/kafka and zookeeper images provide.

The rendered pods call the images' stock scripts (`/opt/kafka/bin/kafka-server-start.sh ...`,
`zkServer.sh start-foreground <cfg>`). Where the real images are not used, these stand-ins take their
place: each script execs `java -cp <jars> <the main class the real script runs>`, with the same
environment variables (KAFKA_HEAP_OPTS, KAFKA_LOG4J_OPTS, ZK_SERVER_HEAP) and console logging.

One source for both users, so they run exactly the same scripts:
- the real-Kafka test tier (tests/realkafka/harness.py) writes them into directories it bind-mounts at
  the image paths inside its pods (/opt/kafka, /apache-zookeeper);
- the local cluster's image builder (tools/images/build.sh) bakes them into the images at the images'
  real paths (/opt/kafka, /apache-zookeeper-<version>-bin), through the command line below.

Pure Python, standard library only.
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

# The image scripts the rendered commands call, and the main class each runs; where a class moved
# between Kafka 3.9 and 4.x, the one present in the jars is used (as that version's script does).
KAFKA_TOOLS = {
    "kafka-server-start.sh": ["kafka.Kafka"],
    "kafka-storage.sh": ["kafka.tools.StorageTool"],
    "kafka-topics.sh": ["org.apache.kafka.tools.TopicCommand"],
    "kafka-configs.sh": ["kafka.admin.ConfigCommand", "org.apache.kafka.tools.ConfigCommand"],
    "kafka-console-producer.sh": ["kafka.tools.ConsoleProducer", "org.apache.kafka.tools.ConsoleProducer"],
    "kafka-console-consumer.sh": ["org.apache.kafka.tools.consumer.ConsoleConsumer"],
    "kafka-verifiable-producer.sh": ["org.apache.kafka.tools.VerifiableProducer"],
    "kafka-get-offsets.sh": ["org.apache.kafka.tools.GetOffsetShell"],
    "kafka-acls.sh": ["kafka.admin.AclCommand", "org.apache.kafka.tools.AclCommand"],  # SCRAM users' ACLs
    "kafka-producer-perf-test.sh": ["org.apache.kafka.tools.ProducerPerformance"],  # the benchmarks
    # KRaft administration; each class is in both the 3.9.1 and the 4.4.0 jars (checked), so no fallback.
    "kafka-metadata-quorum.sh": ["org.apache.kafka.tools.MetadataQuorumCommand"],
    "kafka-features.sh": ["org.apache.kafka.tools.FeatureCommand"],
    "kafka-reassign-partitions.sh": ["org.apache.kafka.tools.reassign.ReassignPartitionsCommand"],
    "kafka-cluster.sh": ["org.apache.kafka.tools.ClusterTool"],
    "kafka-leader-election.sh": ["org.apache.kafka.tools.LeaderElectionCommand"],
}
KAFKA_HOME = "/opt/kafka"  # where the apache/kafka image keeps Kafka
# kafka-run-class.sh's JVM flags when KAFKA_JVM_PERFORMANCE_OPTS is empty (Kafka 3.9 and 4.x alike).
RUN_CLASS_JVM_OPTS = (
    "-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent "
    "-XX:MaxInlineLevel=15 -Djava.awt.headless=true"
)
CONSOLE_LOG4J2 = (
    "status = error\n"
    "appender.stderr.type = Console\n"
    "appender.stderr.name = STDERR\n"
    "appender.stderr.target = SYSTEM_ERR\n"
    "appender.stderr.layout.type = PatternLayout\n"
    "appender.stderr.layout.pattern = [%d] %p %m (%c)%n\n"
    "rootLogger.level = warn\n"
    "rootLogger.appenderRef.stderr.ref = STDERR\n"
)
CONSOLE_LOG4J = (
    "log4j.rootLogger=WARN, stderr\n"
    "log4j.appender.stderr=org.apache.log4j.ConsoleAppender\n"
    "log4j.appender.stderr.layout=org.apache.log4j.PatternLayout\n"
    "log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n\n"
    "log4j.appender.stderr.Target=System.err\n"
)


def main_classes(jar_dir: Path) -> dict[str, str]:
    """Script name -> the main class these jars contain."""
    present: set[str] = set()
    for jar in jar_dir.glob("kafka*.jar"):
        with zipfile.ZipFile(jar) as archive:
            present.update(name[:-6].replace("/", ".") for name in archive.namelist() if name.endswith(".class"))
    resolved = {}
    for script, candidates in KAFKA_TOOLS.items():
        found = [c for c in candidates if c in present]
        if not found:
            raise ValueError(f"none of {candidates} in {jar_dir}")
        resolved[script] = found[0]
    return resolved


def write_stand_ins(kafka_home: Path, zk_home: Path, jar_dir: Path, kafka_path: str, zk_path: str) -> None:
    """Write the Kafka home stand-in into `kafka_home` and the ZooKeeper home stand-in into `zk_home`.

    `kafka_path` and `zk_path` are where those homes appear inside the container (the scripts refer to
    themselves by those paths). The jars are not copied: they belong at <kafka_path>/libs and
    <zk_path>/lib (the caller binds or copies them there); `jar_dir` only decides the main classes.
    Creates bin/, config/ and libs/ (Kafka), bin/ and lib/ (ZooKeeper)."""
    write_kafka_home(kafka_home, jar_dir, kafka_path)
    write_zookeeper_home(zk_home, zk_path)


def write_kafka_home(kafka_home: Path, jar_dir: Path, kafka_path: str) -> None:
    """The Kafka half of `write_stand_ins`: bin/ (one script per tool `jar_dir` has), config/, libs/."""
    for directory in (kafka_home / "bin", kafka_home / "config", kafka_home / "libs"):
        directory.mkdir(parents=True, exist_ok=True)
    (kafka_home / "config" / "tools-log4j.properties").write_text(CONSOLE_LOG4J)
    (kafka_home / "config" / "tools-log4j2.properties").write_text(CONSOLE_LOG4J2)
    for script, main_class in main_classes(jar_dir).items():
        # As kafka-run-class.sh: KAFKA_HEAP_OPTS and KAFKA_LOG4J_OPTS from the environment, else
        # the tools' defaults (console logging at WARN; reload4j for 3.x, log4j2 for 4.x).
        logging = (
            "${KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:" + kafka_path + "/config/tools-log4j.properties "
            "-Dlog4j2.configurationFile=file:" + kafka_path + "/config/tools-log4j2.properties}"
        )
        path = kafka_home / "bin" / script
        # KAFKA_JVM_PERFORMANCE_OPTS and KAFKA_OPTS as kafka-run-class.sh takes them: the first replaces its
        # default flags, the second goes after the class path.
        path.write_text(
            "#!/bin/bash\n"
            f"# stand-in for the apache/kafka image's {script}\n"
            f"exec java ${{KAFKA_HEAP_OPTS:--Xmx256M}} ${{KAFKA_JVM_PERFORMANCE_OPTS:-{RUN_CLASS_JVM_OPTS}}} {logging} "
            f'-cp "{kafka_path}/libs/*" ${{KAFKA_OPTS:-}} {main_class} "$@"\n'
        )
        path.chmod(0o755)


def write_zookeeper_home(zk_home: Path, zk_path: str) -> None:
    """The ZooKeeper half of `write_stand_ins`: bin/zkServer.sh and its logging, an empty lib/."""
    for directory in (zk_home / "bin", zk_home / "lib"):
        directory.mkdir(parents=True, exist_ok=True)
    (zk_home / "bin" / "log4j.properties").write_text(CONSOLE_LOG4J.replace("WARN", "INFO"))
    script = zk_home / "bin" / "zkServer.sh"
    script.write_text(
        "#!/bin/bash\n"
        "# stand-in for the zookeeper image's zkServer.sh (start-foreground CONFIG only)\n"
        '[ "$1" = start-foreground ] || { echo "stand-in supports start-foreground only" >&2; exit 2; }\n'
        f"exec java -Xmx${{ZK_SERVER_HEAP:-1000}}m -Dlog4j.configuration=file:{zk_path}/bin/log4j.properties "
        f'-cp "{zk_path}/lib/*" org.apache.zookeeper.server.quorum.QuorumPeerMain "$2"\n'
    )
    script.chmod(0o755)


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Write the Kafka and/or ZooKeeper image script stand-ins (each home only when asked for)."
    )
    parser.add_argument("--jars", type=Path, help="folder with the Kafka jars (decides the main classes)")
    parser.add_argument("--kafka-home", type=Path, help="directory to write the Kafka home into")
    parser.add_argument("--kafka-path", default=KAFKA_HOME, help="the Kafka home's path inside the container")
    parser.add_argument("--zookeeper-home", type=Path, help="directory to write the ZooKeeper home into")
    parser.add_argument("--zookeeper-path", help="the ZooKeeper home's path inside the container")
    args = parser.parse_args()
    if args.kafka_home is None and args.zookeeper_home is None:
        parser.error("give --kafka-home, --zookeeper-home or both")
    if args.kafka_home is not None:
        if args.jars is None:
            parser.error("--kafka-home needs --jars")
        write_kafka_home(args.kafka_home, args.jars, args.kafka_path)
    if args.zookeeper_home is not None:
        if args.zookeeper_path is None:
            parser.error("--zookeeper-home needs --zookeeper-path")
        write_zookeeper_home(args.zookeeper_home, args.zookeeper_path)


if __name__ == "__main__":
    main()
