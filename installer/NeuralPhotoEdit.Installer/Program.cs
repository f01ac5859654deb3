using System.Diagnostics;
using NeuralPhotoEdit.Installer;

// Usage: NeuralPhotoEdit.Installer [--pdn-dir FOLDER] [--uninstall] [--ignore-prereqs]
string? pdnDir = null;
bool uninstall = false, ignorePrerequisites = false;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--pdn-dir" when i + 1 < args.Length: pdnDir = args[++i]; break;
        case "--uninstall": uninstall = true; break;
        case "--ignore-prereqs": ignorePrerequisites = true; break;
        // Used by installer/build.sh: checks a staged package against NuGet's win-x64 asset list.
        case "--verify-package" when i + 2 < args.Length:
            var problems = PackageContents.Check(args[i + 1], PackageContents.RequiredNativeFiles(args[i + 2]));
            foreach (var problem in problems) Console.Error.WriteLine("package: " + problem);
            return problems.Count == 0 ? 0 : 1;
        case "--help" or "-h":
            Console.WriteLine("NeuralPhotoEdit.Installer [--pdn-dir FOLDER] [--uninstall] [--ignore-prereqs]\n" +
                              "Installs Neural Photo Edit into Paint.NET's Effects folder (classic or Microsoft Store install,\n" +
                              "or the portable Paint.NET in FOLDER). --uninstall removes exactly what was installed.\n" +
                              $"Refuses without the Microsoft Visual C++ runtime {NeuralPhotoEdit.VisualCppRuntime.Minimum} or newer " +
                                  $"({NeuralPhotoEdit.VisualCppRuntime.Download})\n" +
                              "or with a Paint.NET older than 5.1; --ignore-prereqs installs anyway.");
            return 0;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Try --help.");
            return 2;
    }
}

try
{
    var installer = new PluginInstaller(Console.WriteLine, () => Process.GetProcessesByName("paintdotnet").Length > 0);
    string effects = PaintDotNetLocations.FindEffectsFolder(SystemFolders.Current, pdnDir);
    // The runtime Paint.NET's process would give libtorch: a copy in its own folder comes before the system's.
    if (!uninstall && !ignorePrerequisites
        && NeuralPhotoEdit.VisualCppRuntime.ProblemForApplication(Path.GetDirectoryName(effects)) is string missing)
        throw new InstallerException(missing + " (--ignore-prereqs installs anyway.)");
    if (!uninstall)
    {
        var version = PaintDotNetVersion.Read(Path.GetDirectoryName(effects)!);
        if (!ignorePrerequisites && PaintDotNetVersion.Problem(version) is string tooOld)
            throw new InstallerException(tooOld + " (--ignore-prereqs installs anyway.)");
        Console.WriteLine(version is null
            ? "Paint.NET's version could not be read (a Microsoft Store install hides it); Neural Photo Edit needs 5.1 or newer."
            : $"Paint.NET {PaintDotNetVersion.Friendly(version)} found.");
    }
    if (uninstall) installer.Uninstall(effects);
    else installer.Install(Path.Combine(AppContext.BaseDirectory, PluginInstaller.FolderName), effects);
    return 0;
}
catch (InstallerException e)
{
    Console.Error.WriteLine("error: " + e.Message);
    return 1;
}
catch (UnauthorizedAccessException e)
{
    Console.Error.WriteLine("error: " + e.Message + " (the classic install's Effects folder needs an administrator: run the installer as " +
        "administrator).");
    return 1;
}
