using System.CommandLine;
using System.Text;
using System.Text.RegularExpressions;
using NeuralPhotoEdit.Cli;

namespace NeuralPhotoEdit.Tests;

/// <summary>
/// The command line documents itself: <c>docs/cli.md</c>, every command's options with their descriptions, is
/// made from the command definitions (what <c>npe COMMAND --help</c> prints), and the README's short command
/// table names every command and nothing else. Neither can drift from the code.
/// </summary>
public class CliReferenceTests
{
    static readonly string CliDoc = Path.Combine(TestSupport.RepositoryRoot(), "docs", "cli.md");

    /// <summary>What docs/cli.md holds below this line is made from the command definitions; above it, notes.</summary>
    const string GeneratedMark = "<!-- Below: made from the command definitions by CliReferenceTests. -->\n";

    /// <summary>Fails when docs/cli.md's reference is not what the command definitions make; run with
    /// NPE_WRITE_DOCS=1 to write it (then look at the diff).</summary>
    [Fact]
    public void TheCliReferenceIsMadeFromTheCommandDefinitions()
    {
        string current = File.ReadAllText(CliDoc);
        int mark = current.IndexOf(GeneratedMark, StringComparison.Ordinal);
        Assert.True(mark >= 0, "docs/cli.md has lost its mark: " + GeneratedMark);
        string expected = current[..(mark + GeneratedMark.Length)] + Reference(NpeApp.Build());
        if (Environment.GetEnvironmentVariable("NPE_WRITE_DOCS") == "1") File.WriteAllText(CliDoc, expected);
        Assert.True(File.ReadAllText(CliDoc) == expected,
            "docs/cli.md is not the command line's own reference: NPE_WRITE_DOCS=1 dotnet test tests/NeuralPhotoEdit.Tests -c Release --filter " +
                "TheCliReference");
    }

    [Fact]
    public void TheReadmesCommandTableNamesEveryCommand()
    {
        string readme = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), "README.md"));
        var table = readme[readme.IndexOf("| command | what it does |", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("\n\n", StringComparison.Ordinal)];
        var documented = table.Split('\n').Skip(2)
            .SelectMany(row => Regex.Matches(row.Split(" | ")[0], @"`\./npe ([a-z][a-z -]*?)(?: [A-Z\[-].*?)?`").Select(m =>
                m.Groups[1].Value.Trim()))
            .ToHashSet();
        Assert.Equal(Commands(NpeApp.Build()).Select(c => c.Path).Order(), documented.Order());
        Assert.All(table.Split('\n').Skip(2), row => Assert.True(row.Length < 260, $"a table row is one short line: {row}"));
    }

    /// <summary>The commands a user runs (those with options of their own or no subcommands), by path.</summary>
    static IEnumerable<(string Path, Command Command)> Commands(Command command, string path = "")
    {
        var subcommands = command.Subcommands.Where(c => !c.Hidden).ToList();
        if (path.Length > 0 && (subcommands.Count == 0 || OwnOptions(command).Any())) yield return (path, command);
        foreach (var sub in subcommands)
            foreach (var found in Commands(sub, (path + " " + sub.Name).Trim())) yield return found;
    }

    static IEnumerable<Option> OwnOptions(Command command) =>
        command.Options.Where(o => !o.Hidden && o.Name is not ("--help" or "--version"));

    /// <summary>docs/cli.md: each command with its description, arguments and options.</summary>
    static string Reference(RootCommand root)
    {
        var doc = new StringBuilder();
        foreach (var (path, command) in Commands(root))
        {
            doc.Append($"\n### npe {path}\n\n{OneLine(command.Description)}\n");
            foreach (var argument in command.Arguments.Where(a => !a.Hidden))
                doc.Append($"\n- `{argument.Name.ToUpperInvariant()}`{(argument.Arity.MinimumNumberOfValues == 0 ? " (optional)" : "")}: " +
                    $"{OneLine(argument.Description)}");
            if (command.Arguments.Any(a => !a.Hidden)) doc.Append('\n');
            var options = OwnOptions(command).ToList();
            if (options.Count == 0) continue;
            doc.Append("\n| option | what it does |\n|---|---|\n");
            foreach (var option in options)
                doc.Append($"| `{option.Name}{Value(option)}` | {OneLine(option.Description).Replace("|", "\\|")} |\n");
        }
        return doc.ToString();
    }

    static string Value(Option option)
    {
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        if (type == typeof(bool)) return "";
        if (type.IsEnum) return " " + string.Join("\\|", Enum.GetNames(type).Select(n => n.ToLowerInvariant()));
        string name = option.HelpName ?? option.Name.TrimStart('-').Replace('-', '_').ToUpperInvariant();
        return option.AllowMultipleArgumentsPerToken || type.IsArray || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
            ? $" {name}…" : $" {name}";
    }

    static string OneLine(string? text) => Regex.Replace(text ?? "", @"\s+", " ").Trim();
}
