#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Writes tests/ui/sample-board.json onto a running tack-server as a new
# board, through the public REST API (PROTOCOL.md), so that screenshots
# show the live app on a populated board.
#
#   populate-board.py BASE_URL ADMIN_TOKEN sample-board.json
import json
import sys
import urllib.request
import uuid

base, admin, path = sys.argv[1:4]
sample = json.load(open(path))


def call(method, url, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + url, data=data, method=method)
    request.add_header("Authorization", "Bearer " + token)
    request.add_header("Content-Type", "application/json")
    request.add_header("X-Tack-User", "Ada Lovelace")
    with urllib.request.urlopen(request) as response:
        return json.load(response)


created = call("POST", "/api/v1/boards", admin, {"title": sample["board"]["title"]})
board = created["board"]["id"]
token = created["token"]
prefix = "/api/v1/boards/" + board

columns = {}
after = None
for column in sorted(sample["columns"], key=lambda c: c["position"]):
    made = call("POST", prefix + "/columns", token,
                {"op": str(uuid.uuid4()), "title": column["title"], "after": after})["column"]
    if column.get("wip_limit"):
        made = call("PATCH", prefix + "/columns/" + made["id"], token,
                    {"op": str(uuid.uuid4()), "base_version": made["version"],
                     "wip_limit": column["wip_limit"]}).get("column", made)
    columns[column["id"]] = made["id"]
    after = made["id"]

last = {}
for card in sorted(sample["cards"], key=lambda c: (c["column"], c["position"], c["id"])):
    column = columns[card["column"]]
    made = call("POST", prefix + "/cards", token,
                {"op": str(uuid.uuid4()), "column": column, "title": card["title"],
                 "description": card.get("description") or "", "after": last.get(column)})["card"]
    last[column] = made["id"]
    call("PATCH", prefix + "/cards/" + made["id"], token,
         {"op": str(uuid.uuid4()), "base_version": made["version"],
          "labels": card["labels"], "assignees": card["assignees"], "due": card["due"]})

print(board)
