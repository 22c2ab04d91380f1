"""A Python Pulumi program using the kafka-demo components as a library: a three-broker KRaft cluster,
a topic and a consumer in a namespace of its own. Install the library first (`pip install <repository>`,
see docs/components.md); it is imported as `kafka_demo_platform`."""

import pulumi
import pulumi_kubernetes as k8s
from kafka_demo_platform import ConsumerJob, KafkaBroker, KafkaTopic

config = pulumi.Config()
namespace = config.get("namespace") or "orders"

ns = k8s.core.v1.Namespace("ns", metadata={"name": namespace, "labels": {"pod-security.kubernetes.io/enforce": "restricted"}})
kafka = KafkaBroker(
    "kafka",
    {"namespace": namespace, "replicas": 3, "storage_size": "20Gi", "memory": "3Gi"},
    pulumi.ResourceOptions(depends_on=[ns]),
)
# The spec is the checked, typed view of the args: its addresses are plain values, known now.
topic = KafkaTopic(
    "orders",
    {
        "namespace": namespace,
        "bootstrap_servers": kafka.spec.bootstrap_servers,
        "name": "orders",
        "partitions": 6,
        "replication_factor": 3,
        "min_insync_replicas": 2,
    },
    pulumi.ResourceOptions(depends_on=[kafka]),
)
ConsumerJob(
    "consumer",
    {
        "namespace": namespace,
        "bootstrap_servers": kafka.spec.bootstrap_servers,
        "topic": "orders",
        "group_id": "billing",
        "replicas": 2,
    },
    pulumi.ResourceOptions(depends_on=[topic]),
)

pulumi.export("bootstrapServers", kafka.bootstrap_servers)
pulumi.export("statefulSet", kafka.stateful_set_name)
pulumi.export("topic", topic.topic_name)
