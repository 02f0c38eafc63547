import ArgumentParser

/// The `crm` command-line tool: runs the system locally and administers it.
@main
struct CRMTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm", abstract: "The CRM command-line tool.",
        subcommands: [
            UpCommand.self, StatusCommand.self, KeysCommand.self, UserCommand.self, TokenCommand.self, PhoneCommand.self, MailCommand.self,
            BackupCommand.self, RestoreCommand.self, RestartCommand.self,
        ])
}
