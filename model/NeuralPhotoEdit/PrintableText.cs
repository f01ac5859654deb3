namespace NeuralPhotoEdit;

/// <summary>Text from a file or an exception made safe to show as one line: control characters (a NUL
/// byte in a damaged file, a line break) written as \xNN.</summary>
public static class PrintableText
{
    public static string Of(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) ? $"\\x{(int)c:X2}" : c.ToString()));
}
