"""Liaoning Green Technology Innovation Platform (辽宁省绿色技术创新服务平台)."""

__version__ = "0.1.0"
