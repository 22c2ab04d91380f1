"""kafka-demo's platform components: Kafka on Kubernetes as typed Pulumi ComponentResources.

Installed as a library (pyproject.toml) this package is imported as `kafka_demo_platform`; inside this
repository, where Pulumi runs `__main__.py`, it is `components`. Each component takes its own typed args
(a TypedDict) and checks them before it registers anything:

    from kafka_demo_platform import KafkaBroker, KafkaTopic

    kafka = KafkaBroker("kafka", {"namespace": "streaming", "replicas": 3})
    topic = KafkaTopic("topic", {"namespace": "streaming", "bootstrap_servers": kafka.spec.bootstrap_servers,
                                 "name": "orders", "partitions": 6})

Layout: config/ (every key once, checks, stack settings), k8s/ (shared Kubernetes builders), one package
per role with its spec, configuration files, manifests and component (kafka/, zookeeper/, clients/,
security/: certificates, SCRAM users and ACLs, external/: access from outside the cluster),
shell/ (the container scripts), engine/ (the stack program, the mock-engine renderer, the
multi-language provider).
"""

from .clients.components import ConsumerJob, ConsumerJobArgs, KafkaTopic, KafkaTopicArgs, ProducerJob, ProducerJobArgs
from .engine.base import InvalidArgs
from .external.component import KafkaExternalAccess, KafkaExternalAccessArgs
from .kafka.component import KafkaBroker, KafkaBrokerArgs
from .security.component import KafkaTls, KafkaTlsArgs, KafkaUsers, KafkaUsersArgs
from .zookeeper.component import ZookeeperCluster, ZookeeperClusterArgs

__version__ = "0.2.0"

__all__ = [
    "ConsumerJob",
    "ConsumerJobArgs",
    "InvalidArgs",
    "KafkaBroker",
    "KafkaBrokerArgs",
    "KafkaExternalAccess",
    "KafkaExternalAccessArgs",
    "KafkaTls",
    "KafkaTlsArgs",
    "KafkaTopic",
    "KafkaTopicArgs",
    "KafkaUsers",
    "KafkaUsersArgs",
    "ProducerJob",
    "ProducerJobArgs",
    "ZookeeperCluster",
    "ZookeeperClusterArgs",
]
