"""Send a one-time password through resilient-sms from Python, with the Temporal Python SDK alone.

The worker resolves the routing plan, so this needs only the Temporal address, the namespace, the task queue and the
request; the contract (input, signals, status query, result) is in schemas/ (docs/integration.md). Payloads are
encrypted by the worker's AES-256-GCM codec: this client encodes and decodes them through the codec server
(`resilient-sms codec-server`, Temporal's remote codec protocol) with its bearer token, so it holds no key.

Environment:
  RSMS_TEMPORAL_ADDRESS  host:port of Temporal (default 127.0.0.1:7233)
  RSMS_NAMESPACE         default "default"
  RSMS_TASK_QUEUE        default "resilient-sms"
  RSMS_CODEC_URL         the codec server, e.g. http://127.0.0.1:8091 (unset: payloads are plain JSON)
  RSMS_CODEC_TOKEN       its bearer token
  RSMS_DESTINATION, RSMS_BODY, RSMS_USE_CASE, RSMS_KEY   the message

Prints one JSON line per status it reads, and the final record last. Run: python send_otp.py
"""

import asyncio
import base64
import dataclasses
import json
import os
import urllib.request
from typing import List, Sequence

from google.protobuf import json_format
from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.converter import PayloadCodec, default


class CodecServerPayloadCodec(PayloadCodec):
    """Temporal's remote codec protocol: POST {url}/encode and /decode, payloads as protobuf JSON."""

    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.token = token

    def _call(self, action: str, payloads: Sequence[Payload]) -> List[Payload]:
        body = json.dumps({"payloads": [json_format.MessageToDict(p) for p in payloads]}).encode()
        request = urllib.request.Request(
            f"{self.url}/{action}",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.loads(response.read())
        return [json_format.ParseDict(p, Payload()) for p in answer["payloads"]]

    async def encode(self, payloads: Sequence[Payload]) -> List[Payload]:
        return await asyncio.to_thread(self._call, "encode", payloads)

    async def decode(self, payloads: Sequence[Payload]) -> List[Payload]:
        return await asyncio.to_thread(self._call, "decode", payloads)


async def main() -> None:
    env = os.environ
    codec_url = env.get("RSMS_CODEC_URL")
    converter = default()
    if codec_url:
        codec = CodecServerPayloadCodec(codec_url, env["RSMS_CODEC_TOKEN"])
        converter = dataclasses.replace(converter, payload_codec=codec)
    client = await Client.connect(
        env.get("RSMS_TEMPORAL_ADDRESS", "127.0.0.1:7233"),
        namespace=env.get("RSMS_NAMESPACE", "default"),
        data_converter=converter,
    )

    key = env["RSMS_KEY"]
    request = {"destination": env["RSMS_DESTINATION"], "body": env["RSMS_BODY"], "useCase": env["RSMS_USE_CASE"]}
    # Workflow type deliverMessage, id sms:<idempotencyKey>: one key, one message, never started twice.
    handle = await client.start_workflow(
        "deliverMessage",
        {"idempotencyKey": key, "request": request},
        id=f"sms:{key}",
        task_queue=env.get("RSMS_TASK_QUEUE", "resilient-sms"),
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
    )

    # The status query: the record while the message is in flight (schemas/status-query-result.schema.json).
    while True:
        status = await handle.query("status")
        print(json.dumps({"status": status["status"], "attempts": len(status["attempts"])}), flush=True)
        if status["status"] != "IN_PROGRESS" or any(a["state"] in ("sent", "delivered") for a in status["attempts"]):
            break
        await asyncio.sleep(0.2)

    # The user typed the code: message feedback RECEIVED (schemas/feedback-signal.schema.json).
    await handle.signal("feedback", {"status": "RECEIVED"})

    # The final record is the workflow's result (schemas/deliver-message-result.schema.json).
    record = await handle.result()
    print(json.dumps(record), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
