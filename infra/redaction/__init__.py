"""The masker that makes the redacted copies of free texts (natasha, phonenumbers, rules)."""
