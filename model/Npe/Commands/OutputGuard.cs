using System.CommandLine;
using NeuralPhotoEdit.Imaging;

namespace NeuralPhotoEdit.Cli.Commands;

/// <summary>Where a command may write, checked before any work starts: a file of a known image type (or
/// a model file) in an existing folder, never an input, and never an existing file unless the user
/// passed --overwrite.</summary>
static class OutputGuard
{
    public static void Check(string output, string option, bool overwrite, params string[] inputs)
    {
        ImageFiles.CheckWritable(output, option);
        CheckNotReplacing(output, option, overwrite, inputs);
    }

    public static void CheckModel(string output, string option, bool overwrite, params string[] inputs)
    {
        if (!string.Equals(Path.GetExtension(output), ".safetensors", StringComparison.OrdinalIgnoreCase))
            throw new UserInputException($"{option} '{output}' must be a .safetensors model file.");
        string folder = Path.GetDirectoryName(Path.GetFullPath(output))!;
        if (!Directory.Exists(folder)) throw new UserInputException($"{option} '{output}': the folder '{folder}' does not exist.");
        ImageFiles.CheckFolderWritable(folder, output, option);
        CheckNotReplacing(output, option, overwrite, inputs);
    }

    /// <summary>A folder to write into: created if needed, and writable.</summary>
    public static void CheckFolder(string folder, string option)
    {
        try { Directory.CreateDirectory(folder); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UserInputException($"{option} '{folder}': the folder can't be created ({e.Message}).");
        }
        ImageFiles.CheckFolderWritable(folder, folder, option);
    }

    static void CheckNotReplacing(string output, string option, bool overwrite, string[] inputs)
    {
        string full = Path.GetFullPath(output);
        bool isInput = inputs.Any(input => string.Equals(full, Path.GetFullPath(input), StringComparison.Ordinal));
        if (isInput && !overwrite)
            throw new UserInputException($"{option} '{output}' is an input; pass --overwrite to replace it.");
        if (File.Exists(output) && !overwrite && !isInput)
            throw new UserInputException($"{option} '{output}' already exists; pass --overwrite to replace it, or choose another name.");
    }

    /// <summary>A name in <paramref name="folder"/> (created if needed) that no file has yet:
    /// <paramref name="name"/>, else name-2, name-3…, so a default output never replaces anything.</summary>
    public static string FreshPath(string folder, string name)
    {
        Directory.CreateDirectory(folder);
        string stem = Path.GetFileNameWithoutExtension(name), extension = Path.GetExtension(name);
        string candidate = Path.Combine(folder, name);
        for (int i = 2; File.Exists(candidate) || File.Exists(SheetPathFor(candidate)); i++) candidate = Path.Combine(folder,
            $"{stem}-{i}{extension}");
        return candidate;
    }

    /// <summary>The default sheet name for an output: OUT-sheet.png.</summary>
    public static string SheetPathFor(string output) => Path.ChangeExtension(output, null) + "-sheet.png";

    public static Option<bool> OverwriteOption() => new("--overwrite") { Description = "Allow the output to replace an existing file, including an " +
        "input." };
}
