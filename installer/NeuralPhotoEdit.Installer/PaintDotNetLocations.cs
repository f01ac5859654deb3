namespace NeuralPhotoEdit.Installer;

/// <summary>The folders where Paint.NET lives on a Windows machine; injected so tests can use a fake tree.</summary>
public sealed record SystemFolders(string ProgramFiles, string Documents, string LocalAppData)
{
    public static SystemFolders Current => new(
        Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles),
        Environment.GetFolderPath(Environment.SpecialFolder.MyDocuments),
        Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData));
}

/// <summary>Finds Paint.NET's Effects folder: a portable folder given by the user, the classic install,
/// or the Microsoft Store install (whose plugins live under Documents).</summary>
public static class PaintDotNetLocations
{
    public const string Executable = "paintdotnet.exe";

    public static string FindEffectsFolder(SystemFolders folders, string? portableDirectory)
    {
        if (portableDirectory is not null)
        {
            if (!File.Exists(Path.Combine(portableDirectory, Executable)) && !File.Exists(Path.Combine(portableDirectory, "PaintDotNet.dll")))
                throw new InstallerException($"'{portableDirectory}' does not look like a Paint.NET folder (no {Executable}).");
            return Path.Combine(portableDirectory, "Effects");
        }
        string classic = Path.Combine(folders.ProgramFiles, "paint.net");
        if (File.Exists(Path.Combine(classic, Executable)) || File.Exists(Path.Combine(classic, "PaintDotNet.dll")))
            return Path.Combine(classic, "Effects");
        string packages = Path.Combine(folders.LocalAppData, "Packages");
        bool storeInstalled = Directory.Exists(packages) &&
            Directory.EnumerateDirectories(packages, "dotPDN*").Any();
        if (storeInstalled)
            return Path.Combine(folders.Documents, "paint.net App Files", "Effects");
        throw new InstallerException("Paint.NET was not found (neither the classic install in Program Files nor the Microsoft Store app). " +
                                     "For a portable Paint.NET, pass --pdn-dir FOLDER.");
    }
}

/// <summary>A problem the user can act on; printed as one line, exit code 1.</summary>
public sealed class InstallerException(string message) : Exception(message);
