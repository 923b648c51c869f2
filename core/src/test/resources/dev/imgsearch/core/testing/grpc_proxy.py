"""A real gRPC proxy in front of a plaintext Milvus, for the TLS and token tests.

Milvus Lite speaks plain gRPC and accepts any token, so the tests put this proxy in front of it:
it terminates TLS with the test's certificate (BoringSSL, independent of the Java client's TLS
stack), records the `authorization` header of every call, can refuse calls whose header is not
the expected one (as a Milvus with authorization enabled does), and forwards each call's bytes
unchanged to the upstream server.

Usage: python grpc_proxy.py --upstream HOST:PORT --log FILE [--cert PEM --key PEM]
Environment: PROXY_EXPECTED_AUTHORIZATION, the header value to require (base64 of the token, as
the Milvus SDKs send it); unset: every call is forwarded.
Prints "LISTENING <port>" on stdout once it serves 127.0.0.1:<port>.
"""

import argparse
import os
import sys
import threading
from concurrent import futures

import grpc

UNLIMITED = [("grpc.max_send_message_length", -1), ("grpc.max_receive_message_length", -1)]
# Headers that belong to the hop, not to the call.
HOP_HEADERS = {"user-agent", "content-type", "te", "grpc-timeout", "grpc-encoding",
               "grpc-accept-encoding"}


class Forwarder(grpc.GenericRpcHandler):
    def __init__(self, channel, log, expected):
        self.channel = channel
        self.log = log
        self.expected = expected
        self.lock = threading.Lock()

    def service(self, details):
        method = details.method
        metadata = list(details.invocation_metadata)
        auth = next((v for k, v in metadata if k == "authorization"), None)
        accepted = self.expected is None or auth == self.expected
        with self.lock:
            self.log.write("%s\t%s\t%s\n" % (method, auth if auth is not None else "-",
                                             "ok" if accepted else "refused"))
            self.log.flush()
        forward = [(k, v) for k, v in metadata
                   if not k.startswith(":") and k not in HOP_HEADERS]
        # No (de)serializers: requests and responses pass through as bytes.
        upstream = self.channel.unary_unary(method)

        def call(request, context):
            if not accepted:
                context.abort(grpc.StatusCode.UNAUTHENTICATED,
                              "auth check failure, please check username, password or API key")
            try:
                return upstream(request, metadata=forward, timeout=context.time_remaining())
            except grpc.RpcError as e:
                context.abort(e.code(), e.details() or "")

        return grpc.unary_unary_rpc_method_handler(call)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()

    channel = grpc.insecure_channel(args.upstream, options=UNLIMITED)
    log = open(args.log, "a", encoding="utf-8")
    expected = os.environ.get("PROXY_EXPECTED_AUTHORIZATION") or None
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16), options=UNLIMITED)
    server.add_generic_rpc_handlers((Forwarder(channel, log, expected),))
    if args.cert:
        with open(args.key, "rb") as k, open(args.cert, "rb") as c:
            credentials = grpc.ssl_server_credentials([(k.read(), c.read())])
        port = server.add_secure_port("127.0.0.1:0", credentials)
    else:
        port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print("LISTENING %d" % port, flush=True)
    # Runs until the test kills it (or closes stdin).
    try:
        sys.stdin.read()
    finally:
        server.stop(0)


if __name__ == "__main__":
    main()
