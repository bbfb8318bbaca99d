"""HTTP middleware: a correlation id per request and one access-log line (no personal data)."""
import time

from chalicelib.logs import logger


def access_log(event, get_response):
    context = event.context or {}
    request_id = context.get("requestId") or event.headers.get("x-request-id", "")
    logger.set_correlation_id(request_id)
    started = time.perf_counter()
    response = get_response(event)
    logger.info("request", extra={
        "method": event.method,
        "route": context.get("resourcePath"),
        "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 1),
    })
    response.headers["X-Request-Id"] = request_id
    return response
