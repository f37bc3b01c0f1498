# The one exception route code raises to answer with an EM Error body (XML or JSON, as the client asked).
from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status, message, headers=None):
        Exception.__init__(self, message)
        self.status = status
        self.message = message
        self.headers = headers or []
