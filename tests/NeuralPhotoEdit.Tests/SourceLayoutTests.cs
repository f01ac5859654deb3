using System.Text.RegularExpressions;

namespace NeuralPhotoEdit.Tests;

/// <summary>
/// Layout rules no compiler or analyzer checks: the line length .editorconfig sets for C#
/// (<c>max_line_length</c>; editors draw the guide) and the engine's file size.
/// </summary>
public class SourceLayoutTests
{
    [Fact]
    public void NoCSharpLineIsLongerThanTheEditorconfigAllows()
    {
        string root = TestSupport.RepositoryRoot();
        int limit = MaxLineLength(File.ReadAllText(Path.Combine(root, ".editorconfig")));
        Assert.InRange(limit, 80, 200);
        var skipped = new[] { "bin", "obj", ".git", "node_modules" };
        var sources = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(path => !Path.GetRelativePath(root, path).Split(Path.DirectorySeparatorChar).Any(skipped.Contains)).ToList();
        Assert.True(sources.Count > 100, $"found only {sources.Count} C# files under {root}");

        var tooLong = sources.SelectMany(path => File.ReadLines(path).Select((line, index) => (path, line, index)))
            .Where(l => l.line.Length > limit)
            .Select(l => $"{Path.GetRelativePath(root, l.path)}:{l.index + 1} ({l.line.Length} characters)").ToList();
        Assert.True(tooLong.Count == 0, $"{tooLong.Count} lines over {limit} characters:\n" + string.Join("\n", tooLong.Take(20)));
    }

    /// <summary>Small files with one purpose: no engine file over 350 lines (CONTRIBUTING.md).</summary>
    [Fact]
    public void NoEngineFileIsLongerThan350Lines()
    {
        string engine = Path.Combine(TestSupport.RepositoryRoot(), "model", "NeuralPhotoEdit");
        var lengths = Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}"))
            .Select(path => (Name: Path.GetRelativePath(engine, path), Lines: File.ReadLines(path).Count())).ToList();
        Assert.True(lengths.Count > 50, $"found only {lengths.Count} engine files");
        var tooLong = lengths.Where(f => f.Lines > 350).Select(f => $"{f.Name} ({f.Lines} lines)").ToList();
        Assert.True(tooLong.Count == 0, "engine files over 350 lines: " + string.Join(", ", tooLong));
    }

    /// <summary>The <c>max_line_length</c> of the <c>[*.cs]</c> section.</summary>
    static int MaxLineLength(string editorconfig)
    {
        var section = Regex.Match(editorconfig, @"^\[\*\.cs\]\s*$(?<body>(?:\n(?!\[).*)*)", RegexOptions.Multiline);
        Assert.True(section.Success, ".editorconfig has no [*.cs] section");
        var setting = Regex.Match(section.Groups["body"].Value, @"^max_line_length\s*=\s*(\d+)\s*$", RegexOptions.Multiline);
        Assert.True(setting.Success, ".editorconfig's [*.cs] section sets no max_line_length");
        return int.Parse(setting.Groups[1].Value);
    }
}
