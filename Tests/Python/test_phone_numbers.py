"""The phone-number normaliser (`crm phone`, the same code every service uses) against Python's
`phonenumbers`, on a few thousand generated numbers of NO, SE, DK, PL, DE, GB, US and RU written
the ways PBXs and people write them: E.164, international with spaces, national with the trunk
prefix, the default country's international prefix, punctuation, tel:/sip: URIs, caller ids."""

import os
import random
import subprocess
import unittest

import phonenumbers
from phonenumbers import PhoneNumberFormat, PhoneNumberType

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CRM_BIN_DIR", os.path.join(ROOT, ".build", "debug"))
COUNTRIES = ["NO", "SE", "DK", "PL", "DE", "GB", "US", "RU"]
INTERNATIONAL_PREFIX = {"US": "011", "RU": "810"}
TYPES = [PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE, PhoneNumberType.TOLL_FREE]


def generated_numbers(region, count, rng):
    """Valid numbers of `region`: example numbers with their last digits changed."""
    numbers = []
    examples = [phonenumbers.example_number_for_type(region, t) for t in TYPES]
    examples = [e for e in examples if e is not None]
    attempts = 0
    while len(numbers) < count and attempts < count * 50:
        attempts += 1
        example = rng.choice(examples)
        national = str(example.national_number)
        keep = max(2, len(national) - rng.randint(3, 6))
        candidate = national[:keep] + "".join(rng.choice("0123456789") for _ in range(len(national) - keep))
        parsed = phonenumbers.parse("+%d%s" % (example.country_code, candidate))
        if phonenumbers.is_valid_number(parsed):
            numbers.append(parsed)
    return numbers


def written_forms(number, dialled_in, rng):
    """How a number turns up in PBX data when dialled in `dialled_in`."""
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    forms = [
        e164,
        phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL),
        "tel:" + e164,
        "sip:%s@pbx.example.com" % e164,
        '"Caller" <%s>' % e164,
        INTERNATIONAL_PREFIX.get(dialled_in, "00") + e164[1:],
    ]
    if phonenumbers.region_code_for_number(number) == dialled_in:
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        forms += [national, "".join(c for c in national if c.isdigit()), national.replace(" ", "-")]
    return [f for f in forms if rng.random() < 0.8] or forms[:1]


class PhoneNumberOracleTest(unittest.TestCase):
    def normalise(self, lines):
        text = "".join("%s\t%s\n" % (country, raw) for country, raw in lines)
        out = subprocess.run([os.path.join(BIN, "crm"), "phone"], input=text.encode(), capture_output=True, check=True)
        return out.stdout.decode().split("\n")[: len(lines)]

    def test_generated_numbers_agree_with_phonenumbers(self):
        rng = random.Random(20261122)
        cases = []
        for region in COUNTRIES:
            for number in generated_numbers(region, 60, rng):
                for dialled_in in [region, rng.choice(COUNTRIES)]:
                    for raw in written_forms(number, dialled_in, rng):
                        expected = phonenumbers.format_number(phonenumbers.parse(raw.replace("tel:", "").split("@")[0]
                                                                                  .replace("sip:", "").split("<")[-1].rstrip(">"),
                                                                                  dialled_in), PhoneNumberFormat.E164)
                        cases.append((dialled_in, raw, expected))
        self.assertGreater(len(cases), 2000)
        results = self.normalise([(c, raw) for c, raw, _ in cases])
        wrong = [(c, raw, expected, got) for (c, raw, expected), got in zip(cases, results) if got != expected]
        report = "\n".join("%s %r: phonenumbers %s, ours %r" % w for w in wrong[:25])
        self.assertEqual(wrong, [], "%d of %d differ:\n%s" % (len(wrong), len(cases), report))

    def test_extensions_withheld_and_junk_are_not_public_numbers(self):
        lines = [("NO", "105"), ("NO", "Ext.315"), ("SE", "anonymous"), ("DE", "<unknown>"), ("GB", '"Reception" <105>'),
                 ("US", "Restricted"), ("RU", "sip:105@pbx"), ("PL", "12"), ("NO", "not a number")]
        self.assertEqual(self.normalise(lines), [""] * len(lines))


if __name__ == "__main__":
    unittest.main()
