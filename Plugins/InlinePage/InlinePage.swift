import PackagePlugin

/// Builds the server's page into the binary: the target's `index.html`, with the style sheets and
/// scripts it names inlined, becomes `WebPage.html` in a generated Swift file (the inline-page
/// tool does the work; its header says how). The page's files stay real `.html`, `.css` and `.js`
/// files, and the installed binary stays self-contained: no resource bundle at run time.
@main
struct InlinePage: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        // Every page file is an input, so editing the style sheet or the script rebuilds the page.
        let pageFiles = target.sourceFiles.map(\.path).filter { ["html", "css", "js"].contains($0.extension ?? "") }
        guard let index = pageFiles.first(where: { $0.lastComponent == "index.html" }) else { return [] }
        let output = context.pluginWorkDirectory.appending("WebPage+html.swift")
        return [
            .buildCommand(
                displayName: "Inlining \(index.lastComponent) into WebPage.html",
                executable: try context.tool(named: "inline-page").path,
                arguments: [index.string, output.string],
                inputFiles: pageFiles,
                outputFiles: [output]
            ),
        ]
    }
}
