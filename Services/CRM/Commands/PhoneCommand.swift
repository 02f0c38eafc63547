import ArgumentParser
import Foundation
import ServiceKit

/// `crm phone`: normalise phone numbers as the services do, for checking a PBX's formats (and
/// for the test that compares the normaliser with Python's `phonenumbers`).
struct PhoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phone",
        abstract: "Print the E.164 form of phone numbers, one per line (empty when it is not a public number).",
        discussion: """
            Numbers come as arguments, or one per line on standard input. A line may start with a
            country code and a tab (`SE<TAB>08-12 34 56`) to read it as dialled in that country.
            """)

    @Option(name: .customLong("country"), help: "The default country (ISO 3166 alpha-2) for national numbers.")
    var country = ProcessInfo.processInfo.environment["CRM_DEFAULT_COUNTRY"] ?? "NO"

    @Argument(help: "Numbers to normalise; none reads standard input.")
    var numbers: [String] = []

    func validate() throws {
        guard PhoneNormalizer.isKnownCountry(country.uppercased()) else {
            throw ValidationError("no dialling rules for country '\(country)'")
        }
    }

    func run() throws {
        var normalizers: [String: PhoneNormalizer] = [:]
        func e164(_ line: String) -> String {
            var region = country.uppercased(), raw = line
            if let tab = line.firstIndex(of: "\t") {
                region = String(line[..<tab]).uppercased()
                raw = String(line[line.index(after: tab)...])
            }
            let normalizer = normalizers[region] ?? PhoneNormalizer(defaultCountry: region)
            normalizers[region] = normalizer
            return normalizer.e164(raw) ?? ""
        }
        if !numbers.isEmpty {
            for number in numbers { print(e164(number)) }
            return
        }
        var output = ""
        while let line = readLine(strippingNewline: true) {
            output += e164(line) + "\n"
            if output.utf8.count > 1 << 16 {
                FileHandle.standardOutput.write(Data(output.utf8))
                output = ""
            }
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
