"""KafkaTopic, ProducerJob and ConsumerJob: the explicitly created topic and the seed's producer and
consumer, as a Job and Deployments named as in the seed.

Each is created from its typed args (checked here), or with `from_spec` from a spec checked already (the
stack program: its settings check every stack key once)."""

from typing import NotRequired, TypedDict

import pulumi
import pulumi_kubernetes as k8s

from ..config.resources import resource_keys
from ..engine.base import PlatformComponent, spec_from_args
from ..naming import CONSUMER as CONSUMER_NAME
from ..naming import PRODUCER as PRODUCER_NAME
from . import manifests
from .keys import CONSUMER, PRODUCER, TOPIC
from .spec import (
    CLIENT_CONTEXT,
    CLUSTER_IDENTITY,
    TOPIC_NAME,
    ConsumerSpec,
    ProducerSpec,
    TopicSpec,
    consumer_spec,
    producer_spec,
    topic_spec,
)

TOPIC_KEYS = CLIENT_CONTEXT + (CLUSTER_IDENTITY,) + TOPIC.keys + resource_keys("100m", "500m", "384Mi", "Topic job")
# `enabled` is the stack's switch for creating the component at all; the component has no use for it.
PRODUCER_KEYS = CLIENT_CONTEXT + (TOPIC_NAME,) + tuple(k for k in PRODUCER.keys if k.name != "enabled")
CONSUMER_KEYS = CLIENT_CONTEXT + (TOPIC_NAME,) + tuple(k for k in CONSUMER.keys if k.name != "enabled")


class ClientArgs(TypedDict):
    namespace: str
    bootstrap_servers: str
    image: NotRequired[str]
    client_secret: NotRequired[str]
    cpu_request: NotRequired[str]
    cpu_limit: NotRequired[str]
    memory: NotRequired[str]


class KafkaTopicArgs(ClientArgs):
    """Inputs of a KafkaTopic: the stack config's `topic` keys (snake_case) and the brokers to ask."""

    name: NotRequired[str]
    """The topic the producer writes and the consumer reads."""
    partitions: NotRequired[int]
    """Partitions; can grow on a later `up`, never shrink (the job fails with a clear message)."""
    replication_factor: NotRequired[int]
    """Topic replication; changing it later needs a reassignment (the job refuses)."""
    min_insync_replicas: NotRequired[int]
    """Topic `min.insync.replicas`."""
    cluster_identity: NotRequired[str]
    """Identity of the cluster behind bootstrapServers (KRaft: its cluster id); a new one re-runs the topic Job."""


class ProducerJobArgs(ClientArgs):
    """Inputs of a ProducerJob: the stack config's `producer` keys (snake_case), brokers and topic."""

    topic: str
    """The topic to write or read (KafkaTopic's topic_name output)."""
    interval_seconds: NotRequired[float]
    """Seconds between events."""
    acks: NotRequired[str]
    """Producer acks. Anything but `all` needs `idempotence: false`."""
    idempotence: NotRequired[bool]
    """`enable.idempotence`."""
    key_count: NotRequired[int]
    """0: no keys (round-robin, as in the seed). N: keys `order-1..order-N`, so one order's events share a partition, in
    order."""


class ConsumerJobArgs(ClientArgs):
    """Inputs of a ConsumerJob: the stack config's `consumer` keys (snake_case), brokers and topic."""

    topic: str
    """The topic to write or read (KafkaTopic's topic_name output)."""
    replicas: NotRequired[int]
    """Consumers in the group (useful up to the partition count)."""
    group_id: NotRequired[str]
    """Consumer group; offsets are committed, a restart resumes after the last commit."""
    from_beginning: NotRequired[bool]
    """`true` reproduces the seed: no group, re-read the whole topic on every start."""


class KafkaTopic(PlatformComponent):
    """A Job that creates the topic idempotently (and grows its partitions); `pulumi up` waits until it
    has completed."""

    topic_name: pulumi.Output[str]
    """The topic's name, once the Job has created it."""
    job_name: pulumi.Output[str]

    def __init__(self, name: str, args: KafkaTopicArgs, opts: pulumi.ResourceOptions | None = None):
        self._create(name, spec_from_args("KafkaTopic", name, TOPIC_KEYS, args, topic_spec), opts)

    @classmethod
    def from_spec(cls, name: str, spec: TopicSpec, opts: pulumi.ResourceOptions | None = None) -> "KafkaTopic":
        """A KafkaTopic from a checked spec (clients/spec.py: topic_spec)."""
        return cls._of_spec(name, spec, opts)

    def _create(self, name: str, spec: TopicSpec, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__("KafkaTopic", name, manifests.topic_manifests(spec), opts)
        self.spec = spec
        job = manifests.topic_job_name(spec)
        self.job: k8s.batch.v1.Job = self.object("Job", job)
        self.topic_name = self.when_ready("Job", job, spec.name)
        self.job_name = self.when_ready("Job", job, job)
        self.register_outputs({"topic_name": self.topic_name, "job_name": self.job_name})


class ProducerJob(PlatformComponent):
    """Deployment `producer`: one long-lived console producer sending an event every interval."""

    deployment_name: pulumi.Output[str]

    def __init__(self, name: str, args: ProducerJobArgs, opts: pulumi.ResourceOptions | None = None):
        self._create(name, spec_from_args("ProducerJob", name, PRODUCER_KEYS, args, producer_spec), opts)

    @classmethod
    def from_spec(cls, name: str, spec: ProducerSpec, opts: pulumi.ResourceOptions | None = None) -> "ProducerJob":
        """A ProducerJob from a checked spec (clients/spec.py: producer_spec)."""
        return cls._of_spec(name, spec, opts)

    def _create(self, name: str, spec: ProducerSpec, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__("ProducerJob", name, manifests.producer_manifests(spec), opts)
        self.spec = spec
        self.deployment: k8s.apps.v1.Deployment = self.object("Deployment", PRODUCER_NAME)
        self.deployment_name = self.when_ready("Deployment", PRODUCER_NAME, PRODUCER_NAME)
        self.register_outputs({"deployment_name": self.deployment_name})


class ConsumerJob(PlatformComponent):
    """Deployment `consumer`: console consumers in a consumer group (or the seed's --from-beginning)."""

    deployment_name: pulumi.Output[str]

    def __init__(self, name: str, args: ConsumerJobArgs, opts: pulumi.ResourceOptions | None = None):
        self._create(name, spec_from_args("ConsumerJob", name, CONSUMER_KEYS, args, consumer_spec), opts)

    @classmethod
    def from_spec(cls, name: str, spec: ConsumerSpec, opts: pulumi.ResourceOptions | None = None) -> "ConsumerJob":
        """A ConsumerJob from a checked spec (clients/spec.py: consumer_spec)."""
        return cls._of_spec(name, spec, opts)

    def _create(self, name: str, spec: ConsumerSpec, opts: pulumi.ResourceOptions | None) -> None:
        super().__init__("ConsumerJob", name, manifests.consumer_manifests(spec), opts)
        self.spec = spec
        self.deployment: k8s.apps.v1.Deployment = self.object("Deployment", CONSUMER_NAME)
        self.deployment_name = self.when_ready("Deployment", CONSUMER_NAME, CONSUMER_NAME)
        self.register_outputs({"deployment_name": self.deployment_name})
