"""kafka-users.sh against fake kafka-configs.sh and kafka-acls.sh: the cluster's SCRAM users and their ACLs
become exactly the declared ones."""

from __future__ import annotations

USERS_TXT = (
    "producer topic events Write\nproducer topic events Describe\nconsumer topic events Read\n"
    "consumer topic events Describe\nconsumer group events-consumer Read\n"
)
# What the cluster holds: an undeclared user `old` with an ACL, a stale Read for the producer, and
# most of the declared ACLs (the consumer's group ACL is missing).
SCRAM_USERS = (
    "SCRAM credential configs for user-principal 'producer' are SCRAM-SHA-512=iterations=4096\n"
    "SCRAM credential configs for user-principal 'old' are SCRAM-SHA-512=iterations=4096\n"
)
ACL_LIST = """Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=events, patternType=LITERAL)`: 
 	(principal=User:producer, host=*, operation=WRITE, permissionType=ALLOW)
	(principal=User:producer, host=*, operation=DESCRIBE, permissionType=ALLOW)
	(principal=User:producer, host=*, operation=READ, permissionType=ALLOW)
	(principal=User:consumer, host=*, operation=READ, permissionType=ALLOW)
	(principal=User:consumer, host=*, operation=DESCRIBE, permissionType=ALLOW)
	(principal=User:old, host=*, operation=WRITE, permissionType=ALLOW)

"""


def test_users_and_acls_become_exactly_the_declared_ones(sandbox):
    (sandbox.config / "users.txt").parent.mkdir(parents=True, exist_ok=True)
    (sandbox.config / "users.txt").write_text(USERS_TXT)
    passwords = sandbox.root / "passwords"
    passwords.mkdir()
    (passwords / "producer").write_text("p-secret")
    (passwords / "consumer").write_text("c-secret")
    (sandbox.state / "scram").write_text(SCRAM_USERS)
    (sandbox.state / "acls").write_text(ACL_LIST)
    # The fake keeps what each credential file held when it was called: "<user> <file content>".
    sandbox.fake(
        "kafka-configs.sh",
        'case " $* " in *" --describe "*) cat "$STATE/scram" ;; esac\n'
        'while [ $# -gt 0 ]; do case "$1" in --entity-name) user="$2" ;; --add-config-file) '
        'echo "$user $(cat "$2")" >>"$STATE/credentials" ;; esac; shift; done',
    )
    sandbox.fake("kafka-acls.sh", 'case " $* " in *" --list "*) cat "$STATE/acls" ;; esac')
    sandbox.install(
        ["kafka-users.sh"],
        {
            "BOOTSTRAP_SERVERS": "kafka-0:9091",
            "CLIENT_CONFIG": "/etc/kafka-client/client.properties",
            "KAFKA_HOME": str(sandbox.kafka_home),
            "PASSWORDS_DIR": str(passwords),
            "POLL_SECONDS": 0.01,
            "USERS_FILE": str(sandbox.config / "users.txt"),
        },
    )
    result = sandbox.run("kafka-users.sh")
    assert result.returncode == 0, result.stderr
    configs = sandbox.calls("kafka-configs.sh")
    assert all(call[:2] == ["--command-config", "/etc/kafka-client/client.properties"] for call in configs)
    alters = [call[call.index("--entity-name") + 1 :] for call in configs if "--alter" in call]
    # Passwords go through a file, never the command line (which other processes could read).
    assert not [call for call in configs if any("secret" in arg for arg in call)]
    assert ["consumer", "--add-config-file"] in [alter[:2] for alter in alters]
    assert (sandbox.state / "credentials").read_text().splitlines() == [
        "consumer SCRAM-SHA-512=password=c-secret",
        "producer SCRAM-SHA-512=password=p-secret",
    ]
    assert ["old", "--delete-config", "SCRAM-SHA-512"] in alters
    acls = [call[4:] for call in sandbox.calls("kafka-acls.sh") if "--list" not in call]
    removed = [call for call in acls if call[0] == "--remove"]
    added = [call for call in acls if call[0] == "--add"]
    assert sorted(removed) == sorted(
        [
            [
                "--remove",
                "--force",
                "--allow-principal",
                "User:producer",
                "--allow-host",
                "*",
                "--operation",
                "READ",
                "--topic",
                "events",
                "--resource-pattern-type",
                "literal",
            ],
            [
                "--remove",
                "--force",
                "--allow-principal",
                "User:old",
                "--allow-host",
                "*",
                "--operation",
                "WRITE",
                "--topic",
                "events",
                "--resource-pattern-type",
                "literal",
            ],
        ]
    )
    assert added == [["--add", "--allow-principal", "User:consumer", "--operation", "READ", "--group", "events-consumer"]]
    assert "2 users, 5 ACLs - done" in result.stdout
