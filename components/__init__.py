"""The kafka-demo platform: settings, rendered configuration, manifests and Pulumi components."""

from .clients import ConsumerJob, ProducerJob
from .kafka import KafkaBroker
from .topic import KafkaTopic
from .zookeeper import ZookeeperCluster

__all__ = ["ConsumerJob", "KafkaBroker", "KafkaTopic", "ProducerJob", "ZookeeperCluster"]
