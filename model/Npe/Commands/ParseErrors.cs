using System.Text.RegularExpressions;

namespace NeuralPhotoEdit.Cli.Commands;

/// <summary>System.CommandLine's parse errors with the expected type said in words:
/// "as expected type 'System.Int32'" becomes "(expected a whole number)", an enum its values.</summary>
static partial class ParseErrors
{
    [GeneratedRegex(@" as expected type '([^']+)'\.?")]
    private static partial Regex ExpectedType();

    public static string InWords(string message)
    {
        // "Must be one of:" lists the choices one per line: keep them, on the same line.
        var lines = message.Split('\n');
        if (lines[0].TrimEnd().EndsWith("Must be one of:", StringComparison.Ordinal))
            return lines[0].TrimEnd() + " " + string.Join(", ", lines.Skip(1).Select(l => l.Trim()).Where(l => l.Length > 0)) + ".";
        // Otherwise the first line only: the rest is a "did you mean" list of the enum's .NET names.
        string line = lines[0].Replace(" Did you mean one of the following?", "").Trim();
        return ExpectedType().Replace(line, match => $" (expected {Describe(match.Groups[1].Value)}).");
    }

    static string Describe(string typeName) => typeName switch
    {
        "System.Int32" or "System.Int64" => "a whole number",
        "System.Double" or "System.Single" => "a number",
        "System.Boolean" => "true or false",
        _ => EnumValues(typeName) is string values ? $"one of: {values}" : "a different value",
    };

    static string? EnumValues(string typeName)
    {
        var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
        return type is { IsEnum: true } ? string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant())) : null;
    }
}
