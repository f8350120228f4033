import ArgumentParser

/// `emotion-live --help` (also `-h` and `emotion-live help`): the root's overview and usage, the
/// run command's arguments and options, then the subcommands.
///
/// Why it is composed: the argument parser gives a root command with a default subcommand a help
/// of its own that lists only `--version`, `--help` and the subcommands, so the options
/// `emotion-live` takes without a subcommand (`--headless`, `--format`, `--detector`...) were
/// found only under `emotion-live run --help`. The parser has no hook for a root's help, so this
/// takes two of its renderings apart at their section headers and joins them; `run --help`,
/// the completion scripts and the man page (from `--experimental-dump-help`) are untouched.
enum RootHelp {
    /// The composed help when `error` is the parser's request for the root's own default help;
    /// nil for any other outcome (another command's help, `--help-hidden`, an error).
    static func replacement(for error: Error) -> String? {
        guard EmotionLive.exitCode(for: error) == .success,
              EmotionLive.fullMessage(for: error) == EmotionLive.helpMessage() else { return nil }
        return compose(root: EmotionLive.helpMessage(), run: EmotionLive.helpMessage(for: Run.self))
    }

    /// `root`'s overview and usage, `run`'s sections from ARGUMENTS on (its options, `--version`
    /// and `--help` among them, as it is rendered under the root), `root`'s subcommands to the
    /// end. `root` itself when either is not laid out as expected (a later parser version).
    static func compose(root: String, run: String) -> String {
        guard let rootOptions = sectionStart("OPTIONS", in: root),
              let rootSubcommands = sectionStart("SUBCOMMANDS", in: root),
              let runArguments = sectionStart("ARGUMENTS", in: run),
              rootOptions < rootSubcommands else { return root }
        var runSections = run[runArguments...]
        while runSections.last == "\n" { runSections.removeLast() }
        return String(root[..<rootOptions]) + runSections + "\n\n" + root[rootSubcommands...]
    }

    /// Where the line "TITLE:" starts in `text` (section headers are the only unindented lines
    /// ending in a colon after the usage).
    private static func sectionStart(_ title: String, in text: String) -> String.Index? {
        text.range(of: "\n\(title):\n").map { text.index(after: $0.lowerBound) }
    }
}
