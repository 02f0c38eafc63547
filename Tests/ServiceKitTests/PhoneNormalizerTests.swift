import Testing

@testable import ServiceKit

@Suite("Phone normalisation")
struct PhoneNormalizerTests {
    let norway = PhoneNormalizer(defaultCountry: "NO")

    @Test(
        "the shapes real PBX data arrives in",
        arguments: [
            ("+47 912 34 567", "+4791234567"),
            ("004791234567", "+4791234567"),
            ("91234567", "+4791234567"),
            ("912 34 567", "+4791234567"),
            ("(+47) 912-34-567", "+4791234567"),
            ("\"Kari Nordmann\" <+4791234567>", "+4791234567"),
            ("sip:+4791234567@pbx.example.com", "+4791234567"),
            ("sip:004791234567@10.0.0.1;user=phone", "+4791234567"),
            ("tel:+46-8-123-456-78", "+46812345678"),
            ("whatsapp:+4791234567", "+4791234567"),
            ("0046 70 123 45 67", "+46701234567"),
        ])
    func norwegianDefaults(input: String, expected: String) {
        #expect(norway.e164(input) == expected)
    }

    @Test(
        "extensions, withheld numbers and junk are not numbers",
        arguments: [
            "105", "Ext.315", "<unknown>", "anonymous", "Anonymous", "", "  ", "\"Reception\" <105>", "abc", "+0123456789",
        ])
    func notNumbers(input: String) {
        #expect(norway.e164(input) == nil)
    }

    @Test("trunk and international prefixes follow the default country")
    func otherCountries() {
        let us = PhoneNormalizer(defaultCountry: "US")
        #expect(us.e164("(212) 555-0123") == "+12125550123")
        #expect(us.e164("1 212 555 0123") == "+12125550123")
        #expect(us.e164("011 47 91234567") == "+4791234567")
        let russia = PhoneNormalizer(defaultCountry: "RU")
        #expect(russia.e164("8 (912) 345-67-89") == "+79123456789")
        #expect(russia.e164("810 47 91234567") == "+4791234567")
        let uk = PhoneNormalizer(defaultCountry: "GB")
        #expect(uk.e164("020 7946 0018") == "+442079460018")
        let germany = PhoneNormalizer(defaultCountry: "DE")
        #expect(germany.e164("030 1234567") == "+49301234567")
    }

    @Test("unknown countries are reported, known ones accepted")
    func countries() {
        #expect(PhoneNormalizer.isKnownCountry("NO"))
        #expect(!PhoneNormalizer.isKnownCountry("XX"))
    }
}

@Suite("CSV export cells")
struct CSVNeutralizingTests {
    @Test("cells a spreadsheet would run get a quote in front; phone numbers and numbers keep their sign")
    func formulas() {
        #expect(
            CSVWriter.line(["=HYPERLINK(\"http://x\")", "@SUM(A1)", "+1+cmd|' /C calc'!A0", "-2+3", "\tx", "\rx"])
                == "\"'=HYPERLINK(\"\"http://x\"\")\",'@SUM(A1),'+1+cmd|' /C calc'!A0,'-2+3,'\tx,\"'\rx\"\r\n")
        #expect(
            CSVWriter.line(["+47 912 34 567", "-5", "+1 (555) 010-9999", "Kari", "", "a=b"])
                == "+47 912 34 567,-5,+1 (555) 010-9999,Kari,,a=b\r\n")
    }
}
