"""Kafka brokers: their spec and rules (spec.py), server.properties and logging (properties.py),
Kubernetes objects (manifests.py) and the `KafkaBroker` component (component.py)."""
