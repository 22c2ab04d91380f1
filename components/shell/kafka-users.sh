#!/bin/bash
# kafka-users.sh: make the cluster's SCRAM users and their ACLs exactly what the stack declares (a Job of
# the KafkaUsers component, run after the brokers, as the admin certificate on the INTERNAL listener).
# USERS_FILE holds one line per ACL, "<user> <topic|group> <name> <operation>" (a user with no ACL: "<user>").
# Each user's password is the file PASSWORDS_DIR/<user> (from the user's Secret). For every declared user
# it sets the SCRAM-SHA-512 credential and adds the missing ACLs; it removes ACLs of SCRAM users that the
# file does not list, and deletes SCRAM users it does not declare (the stack owns the cluster's SCRAM users).
# Idempotent: an unchanged stack changes nothing but the credentials (same passwords, new salts).
# params: BOOTSTRAP_SERVERS CLIENT_CONFIG KAFKA_HOME PASSWORDS_DIR POLL_SECONDS USERS_FILE
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=/dev/null
source "$(dirname "$0")/params.env"

log() { echo "[kafka-users] $*"; }
configs() { kafka_cli kafka-configs.sh --bootstrap-server "$BOOTSTRAP_SERVERS" "$@"; }
acls() { kafka_cli kafka-acls.sh --bootstrap-server "$BOOTSTRAP_SERVERS" "$@"; }

mapfile -t users < <(awk '{ print $1 }' "$USERS_FILE" | sort -u)
# wanted ACLs as "User:<user> <TYPE> <name> <OPERATION>", the form the listing below takes
wanted="$(awk 'NF == 4 { print "User:" $1, toupper($2), $3, toupper($4) }' "$USERS_FILE" | sort -u)"

until scram_users="$(configs --describe --entity-type users 2>/dev/null)"; do
  log "waiting for the brokers (via $BOOTSTRAP_SERVERS)"
  sleep "$POLL_SECONDS"
done

# Each credential goes through a file, never the command line (which every process of the pod could read).
# In a file the value has no [brackets]: kafka-configs strips them from --add-config only.
credential="$(mktemp)"
trap 'rm -f "$credential"' EXIT
for user in "${users[@]}"; do
  password="$(cat "$PASSWORDS_DIR/$user")"
  printf 'SCRAM-SHA-512=password=%s\n' "$password" >"$credential"
  configs --alter --entity-type users --entity-name "$user" --add-config-file "$credential" >/dev/null
  log "user $user: SCRAM-SHA-512 credential set"
done

# SCRAM users in the cluster the stack does not declare: "SCRAM credential configs for user-principal 'x' are ..."
while read -r user; do
  [ -n "$user" ] || continue
  if ! printf '%s\n' "${users[@]}" | grep -Fx -- "$user" >/dev/null; then
    configs --alter --entity-type users --entity-name "$user" --delete-config SCRAM-SHA-512 >/dev/null
    log "user $user: not declared, credential deleted"
  fi
done < <(sed -n "s/^SCRAM credential configs for user-principal '\([^']*\)' are.*/\1/p" <<<"$scram_users")

# current: every ALLOW ACL of a User principal as "<principal> <TYPE> <name> <OPERATION> <pattern> <host>"
current="$(acls --list | awk '
  /^Current ACLs for resource/ {
    match($0, /resourceType=[A-Z_]+/); type = substr($0, RSTART + 13, RLENGTH - 13)
    match($0, /name=[^,]+/); name = substr($0, RSTART + 5, RLENGTH - 5)
    match($0, /patternType=[A-Z]+/); pattern = substr($0, RSTART + 12, RLENGTH - 12)
  }
  /\(principal=User:/ && /permissionType=ALLOW/ {
    match($0, /principal=[^,]+/); principal = substr($0, RSTART + 10, RLENGTH - 10)
    match($0, /host=[^,]+/); host = substr($0, RSTART + 5, RLENGTH - 5)
    match($0, /operation=[A-Z_]+/); operation = substr($0, RSTART + 10, RLENGTH - 10)
    print principal, type, name, operation, pattern, host
  }')"

while read -r principal type name operation pattern host; do
  [ -n "$principal" ] || continue
  if [ "$pattern" = LITERAL ] && [ "$host" = '*' ] && grep -Fx -- "$principal $type $name $operation" <<<"$wanted" >/dev/null; then
    continue
  fi
  case "$type" in TOPIC) option=--topic ;; GROUP) option=--group ;; *) continue ;; esac
  acls --remove --force --allow-principal "$principal" --allow-host "$host" --operation "$operation" \
    "$option" "$name" --resource-pattern-type "${pattern,,}" >/dev/null
  log "removed ACL: $principal $operation on $type $name ($pattern, host $host): not declared"
done <<<"$current"

while read -r principal type name operation; do
  [ -n "$principal" ] || continue
  if grep -F -- "$principal $type $name $operation LITERAL *" <<<"$current" >/dev/null; then
    continue
  fi
  case "$type" in TOPIC) option=--topic ;; GROUP) option=--group ;; esac
  acls --add --allow-principal "$principal" --operation "$operation" "$option" "$name" >/dev/null
  log "added ACL: $principal $operation on $type $name"
done <<<"$wanted"
log "${#users[@]} users, $(grep -c . <<<"$wanted" || true) ACLs - done"
