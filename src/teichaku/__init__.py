"""teichaku: reproducible analysis of the follow-up survey of Japan's Community Life
Settlement Support Centers (地域生活定着支援センター フォローアップ実態調査)."""

__version__ = "0.1.0"
