"""Kafka clients in the Kafka image: the topic Job, the producer and the consumer. Specs (spec.py),
Kubernetes objects (manifests.py) and the `KafkaTopic`, `ProducerJob`, `ConsumerJob` components."""
