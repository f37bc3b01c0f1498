# -*- coding: utf-8 -*-
# How a failure that ends the EDA source reaches the user. ansible-rulebook logs every frame of a failed
# source's exception at ERROR level, so a wrong password would print a dozen lines of stack frames under
# the one line that says what to fix. The error keeps its class name and message; its frames show only
# when the source's logger is at DEBUG (ansible-rulebook -vv).
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import logging

_QUIET_CLASSES = {}


class _FramesAtDebug(object):
    """Mixin: __traceback__ reads as None unless the logger named in _frames_logger is at DEBUG; the
    interpreter keeps and sets the real frames as usual (the setter stores them)."""
    __slots__ = ()

    @property
    def __traceback__(self):
        frames = BaseException.__traceback__.__get__(self)
        logger = logging.getLogger(getattr(self, '_frames_logger', None) or 'root')
        return frames if logger.isEnabledFor(logging.DEBUG) else None

    @__traceback__.setter
    def __traceback__(self, frames):
        BaseException.__traceback__.__set__(self, frames)


def frames_at_debug(exc, logger_name):
    """exc, its frames shown only at DEBUG of logger_name (its class name and message unchanged)."""
    cls = type(exc)
    if not isinstance(exc, _FramesAtDebug):
        if cls not in _QUIET_CLASSES:
            _QUIET_CLASSES[cls] = type(cls.__name__, (_FramesAtDebug, cls), {'__module__': cls.__module__})
        exc.__class__ = _QUIET_CLASSES[cls]
    exc._frames_logger = logger_name
    return exc
