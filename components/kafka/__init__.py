"""Kafka brokers: their spec and rules (spec.py), server.properties and logging (properties.py),
Kubernetes objects (manifests.py) and the `KafkaBroker` component (component.py). Below them, leaves
that import nothing from the package: the image, its versions and the pod's paths (image.py), the keys
the program manages (managed_keys.py) and the Java properties writer (java_properties.py)."""
