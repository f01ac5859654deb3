extern alias InstallerAssembly;
using InstallerAssembly::NeuralPhotoEdit.Installer;

namespace NeuralPhotoEdit.Tests;

/// <summary>The installer's folder detection and install / upgrade / uninstall logic on a fake Paint.NET tree.</summary>
public class InstallerTests : IDisposable
{
    readonly TempDirectory _temp = TestSupport.TempDirectory();
    readonly List<string> _log = new();

    public void Dispose() => _temp.Dispose();

    SystemFolders Folders => new(_temp.File("Program Files"), _temp.File("Documents"), _temp.File("AppData"));

    string MakePackage(string version)
    {
        string folder = _temp.File("package-" + version);
        Directory.CreateDirectory(Path.Combine(folder, "models"));
        File.WriteAllText(Path.Combine(folder, "NeuralPhotoEdit.Plugin.dll"), "plugin " + version);
        File.WriteAllText(Path.Combine(folder, "torch_cpu.dll"), "native " + version);
        File.WriteAllText(Path.Combine(folder, "models", "default.safetensors"), "model " + version);
        if (version == "2") File.WriteAllText(Path.Combine(folder, "new-in-2.dll"), "x");
        return folder;
    }

    PluginInstaller Installer(bool running = false, Action<string, string>? copy = null) => new(_log.Add, () => running, copy);

    [Fact]
    public void FindsTheClassicTheStoreAndAPortableInstall()
    {
        var error = Assert.Throws<InstallerException>(() => PaintDotNetLocations.FindEffectsFolder(Folders, null));
        Assert.Contains("--pdn-dir", error.Message);

        Directory.CreateDirectory(_temp.File("AppData/Packages/dotPDNLLC.paint.net_h55e3w7q8jbva"));
        Assert.Equal(Path.Combine(Folders.Documents, "paint.net App Files", "Effects"), PaintDotNetLocations.FindEffectsFolder(Folders, null));

        Directory.CreateDirectory(_temp.File("Program Files/paint.net"));
        File.WriteAllText(_temp.File("Program Files/paint.net/paintdotnet.exe"), "");
        Assert.Equal(_temp.File("Program Files/paint.net/Effects"), PaintDotNetLocations.FindEffectsFolder(Folders, null));

        Directory.CreateDirectory(_temp.File("portable"));
        Assert.Contains("does not look like a Paint.NET folder",
            Assert.Throws<InstallerException>(() => PaintDotNetLocations.FindEffectsFolder(Folders, _temp.File("portable"))).Message);
        File.WriteAllText(_temp.File("portable/paintdotnet.exe"), "");
        Assert.Equal(_temp.File("portable/Effects"), PaintDotNetLocations.FindEffectsFolder(Folders, _temp.File("portable")));
    }

    [Fact]
    public void InstallsUpgradesAndUninstallsExactlyItsOwnFiles()
    {
        string effects = _temp.File("Effects");
        Directory.CreateDirectory(Path.Combine(effects, "SomeoneElsesPlugin"));
        string target = Installer().Install(MakePackage("1"), effects);
        Assert.Equal("plugin 1", File.ReadAllText(Path.Combine(target, "NeuralPhotoEdit.Plugin.dll")));

        Installer().Install(MakePackage("2"), effects);
        Assert.Equal("plugin 2", File.ReadAllText(Path.Combine(target, "NeuralPhotoEdit.Plugin.dll")));
        Assert.True(File.Exists(Path.Combine(target, "new-in-2.dll")));
        Assert.Equal(["NeuralPhotoEdit", "SomeoneElsesPlugin"], Directory.GetDirectories(effects).Select(Path.GetFileName).Order());
        Assert.Contains(_log, l => l.StartsWith("Upgraded"));

        File.WriteAllText(Path.Combine(target, "user-notes.txt"), "mine");
        Installer().Uninstall(effects);
        Assert.Equal(["user-notes.txt"], Directory.GetFiles(target).Select(Path.GetFileName));
        Assert.False(Directory.Exists(Path.Combine(target, "models")));
        Assert.True(Directory.Exists(Path.Combine(effects, "SomeoneElsesPlugin")));

        File.Delete(Path.Combine(target, "user-notes.txt"));
        Installer().Install(MakePackage("1"), effects);
        Installer().Uninstall(effects);
        Assert.False(Directory.Exists(target));
    }

    /// <summary>An upgrade loses nothing the user had: files they added stay (and stay theirs: uninstalling
    /// leaves them), and a model an earlier version shipped stays choosable (and is ours: uninstalling
    /// removes it); the old version's other files go.</summary>
    [Fact]
    public void AnUpgradeKeepsTheUsersFilesAndTheModelsAnEarlierVersionShipped()
    {
        string effects = _temp.File("Effects");
        string v1 = MakePackage("1");
        File.WriteAllText(Path.Combine(v1, "only-in-1.dll"), "old");
        string target = Installer().Install(v1, effects);
        File.WriteAllText(Path.Combine(target, "models", "mine.safetensors"), "my model");
        File.WriteAllText(Path.Combine(target, "user-notes.txt"), "mine");

        string v2 = MakePackage("2");
        File.Move(Path.Combine(v2, "models", "default.safetensors"), Path.Combine(v2, "models", "new-default.safetensors"));
        Installer().Install(v2, effects);
        Assert.Equal("model 1", File.ReadAllText(Path.Combine(target, "models", "default.safetensors")));
        Assert.Equal("model 2", File.ReadAllText(Path.Combine(target, "models", "new-default.safetensors")));
        Assert.Equal("my model", File.ReadAllText(Path.Combine(target, "models", "mine.safetensors")));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(target, "user-notes.txt")));
        Assert.False(File.Exists(Path.Combine(target, "only-in-1.dll")));

        Installer().Uninstall(effects);
        Assert.Equal(["mine.safetensors"], Directory.GetFiles(Path.Combine(target, "models")).Select(Path.GetFileName));
        Assert.Equal(["user-notes.txt"], Directory.GetFiles(target).Select(Path.GetFileName));
    }

    /// <summary>A damaged list of installed files stops upgrade and uninstall with one line that says
    /// what to do, before anything is copied or deleted.</summary>
    [Fact]
    public void ADamagedManifestIsRefusedWithOneLineAndNothingChanges()
    {
        string effects = _temp.File("Effects");
        string target = Installer().Install(MakePackage("1"), effects);
        File.WriteAllText(Path.Combine(target, PluginInstaller.ManifestName), "[\"NeuralPhotoEdit.Plugin.dll\", trunc");
        foreach (var attempt in new Action[] { () => Installer().Install(MakePackage("2"), effects), () => Installer().Uninstall(effects) })
        {
            var error = Assert.Throws<InstallerException>(attempt);
            Assert.Contains("is damaged", error.Message);
            Assert.DoesNotContain('\n', error.Message);
        }
        Assert.Equal("plugin 1", File.ReadAllText(Path.Combine(target, "NeuralPhotoEdit.Plugin.dll")));
        Assert.Equal(["NeuralPhotoEdit"], Directory.GetDirectories(effects).Select(Path.GetFileName));
    }

    [Fact]
    public void ACopyThatFailsMidwayLeavesThePreviousInstallWorking()
    {
        string effects = _temp.File("Effects");
        string target = Installer().Install(MakePackage("1"), effects);
        int copies = 0;
        var failing = Installer(copy: (from, to) =>
        {
            if (++copies == 2) throw new IOException("disk full");
            File.Copy(from, to);
        });
        var error = Assert.Throws<InstallerException>(() => failing.Install(MakePackage("2"), effects));
        Assert.Contains("previous installation, if any, is unchanged", error.Message);
        Assert.Equal("plugin 1", File.ReadAllText(Path.Combine(target, "NeuralPhotoEdit.Plugin.dll")));
        Assert.Equal("model 1", File.ReadAllText(Path.Combine(target, "models", "default.safetensors")));
        Assert.Equal(["NeuralPhotoEdit"], Directory.GetDirectories(effects).Select(Path.GetFileName));   // no staging left behind
    }

    [Fact]
    public void RefusesWhilePaintDotNetIsRunning()
    {
        var error = Assert.Throws<InstallerException>(() => Installer(running: true).Install(MakePackage("1"), _temp.File("Effects")));
        Assert.Contains("Paint.NET is running", error.Message);
        Assert.False(Directory.Exists(_temp.File("Effects/NeuralPhotoEdit")));
    }

    [Fact]
    public void ThePackageListComesFromNuGetsWinX64AssetsAndIsChecked()
    {
        string assets = Path.Combine(TestSupport.RepositoryRoot(), "plugin", "NeuralPhotoEdit.Plugin", "obj", "project.assets.json");
        var required = PackageContents.RequiredNativeFiles(assets);
        foreach (var expected in new[] { "torch_cpu.dll", "c10.dll", "LibTorchSharp.dll", "libSkiaSharp.dll" })
            Assert.Contains(expected, required);

        string package = MakePackage("1");
        File.WriteAllText(Path.Combine(package, "NeuralPhotoEdit.Plugin.deps.json"), "{}");
        File.WriteAllText(Path.Combine(package, "TorchSharp.dll"), "");
        File.WriteAllText(Path.Combine(package, "SkiaSharp.dll"), "");
        var problems = PackageContents.Check(package, required);
        Assert.Contains("missing native library c10.dll", problems);
        foreach (var name in required) File.WriteAllText(Path.Combine(package, name), "");
        Assert.Empty(PackageContents.Check(package, required));
        File.WriteAllText(Path.Combine(package, "PaintDotNet.Effects.Core.dll"), "");
        Assert.Contains(PackageContents.Check(package, required), p => p.Contains("PaintDotNet.Effects.Core.dll, which must never be shipped"));
        File.WriteAllText(Path.Combine(package, "System.Windows.Forms.dll"), "");
        Assert.Contains(PackageContents.Check(package, required), p => p.Contains("System.Windows.Forms.dll, which must never be shipped"));
    }

    [Fact]
    public void APackageWhoseDepsJsonNamesAMissingFileOrThatCarriesTheToolkitIsRefused()
    {
        string package = MakePackage("1");
        File.WriteAllText(Path.Combine(package, "NeuralPhotoEdit.Plugin.deps.json"), """
            {"targets": {".NETCoreApp,Version=v9.0/win-x64": {
              "SkiaSharp.NativeAssets.Win32/3.119.0": {"native": {
                "runtimes/win-x64/native/libSkiaSharp.dll": {}, "runtimes/win-x64/native/libSkiaSharp.pdb": {}}},
              "NeuralPhotoEdit/1.0.0": {"runtime": {"NeuralPhotoEdit.dll": {}}}}}}
            """);
        foreach (var name in new[] { "TorchSharp.dll", "SkiaSharp.dll", "libSkiaSharp.dll", "NeuralPhotoEdit.dll" })
            File.WriteAllText(Path.Combine(package, name), "");
        Assert.Equal(["NeuralPhotoEdit.Plugin.deps.json names libSkiaSharp.pdb, which is not in the package"], PackageContents.Check(package, []));
        File.WriteAllText(Path.Combine(package, "libSkiaSharp.pdb"), "");
        Assert.Empty(PackageContents.Check(package, []));
        File.WriteAllText(Path.Combine(package, "NeuralPhotoEdit.Toolkit.dll"), "");
        Assert.Contains(PackageContents.Check(package, []), p => p.Contains("training toolkit"));
    }

    /// <summary>Paint.NET numbers 5.1.x's assemblies 5.10x: older ones can't load the plugin, and the
    /// installer says which version it found and where to update.</summary>
    [Theory]
    [InlineData("4.3.12.0", "this is Paint.NET 4.3")]
    [InlineData("5.13.8765.0", "this is Paint.NET 5.0.13")]
    [InlineData("5.100.9000.0", null)]
    [InlineData("5.108.9270.41195", null)]
    [InlineData("5.201.9400.0", null)]
    [InlineData("6.0.0.0", null)]
    public void APaintDotNetOlderThan51IsRefusedWithTheDownload(string version, string? expected)
    {
        string? problem = PaintDotNetVersion.Problem(Version.Parse(version));
        if (expected is null) { Assert.Null(problem); return; }
        Assert.Contains(expected, problem);
        Assert.Contains(PaintDotNetVersion.Download, problem);
        Assert.Equal("5.1.8", PaintDotNetVersion.Friendly(new Version(5, 108, 9270, 41195)));
    }

    [Fact]
    public void TheVersionIsReadFromTheInstallsEffectApiAssembly()
    {
        string folder = _temp.File("paint.net");
        Directory.CreateDirectory(folder);
        Assert.Null(PaintDotNetVersion.Read(folder));                       // none: unknown, not refused
        File.WriteAllText(Path.Combine(folder, PaintDotNetVersion.ApiAssembly), "not an assembly");
        Assert.Null(PaintDotNetVersion.Read(folder));
        // A real assembly in its place: its version is read from the file's metadata.
        var assembly = typeof(PluginInstaller).Assembly;
        File.Copy(assembly.Location, Path.Combine(folder, PaintDotNetVersion.ApiAssembly), overwrite: true);
        Assert.Equal(assembly.GetName().Version, PaintDotNetVersion.Read(folder));
    }

    /// <summary>The engine the plugin ships holds no training, data-fetching, evaluation or benchmark
    /// code, and the plugin does not depend on the toolkit that does.</summary>
    [Fact]
    public void ThePluginShipsTheEngineWithoutTheTrainingToolkit()
    {
        string[] toolkitNamespaces = ["NeuralPhotoEdit.Training", "NeuralPhotoEdit.Data", "NeuralPhotoEdit.Evaluation", "NeuralPhotoEdit.Benchmarks"];
        var engineNamespaces = typeof(NeuralPhotoEdit.ModelFiles.ModelFile).Assembly.GetTypes().Select(t => t.Namespace).Distinct().ToList();
        Assert.DoesNotContain(engineNamespaces, n => toolkitNamespaces.Contains(n));
        Assert.Equal("NeuralPhotoEdit.Toolkit", typeof(NeuralPhotoEdit.Training.TrainingRun).Assembly.GetName().Name);
        string assets = File.ReadAllText(Path.Combine(TestSupport.RepositoryRoot(), "plugin", "NeuralPhotoEdit.Plugin", "obj",
            "project.assets.json"));
        Assert.Contains("\"NeuralPhotoEdit/", assets);
        Assert.DoesNotContain("NeuralPhotoEdit.Toolkit", assets);
    }

    /// <summary>libtorch's DLLs crash as they load against a Visual C++ runtime older than 14.40; the
    /// installer and the engine refuse first, naming the download (simulated versions: the check runs
    /// only on Windows).</summary>
    [Theory]
    [InlineData(null, "is not installed")]
    [InlineData("14.29.30139", "older than the 14.40")]
    [InlineData("14.38.33135", "older than the 14.40")]
    [InlineData("14.40.33810", null)]
    [InlineData("14.44.35211", null)]
    public void AnOldOrMissingVisualCppRuntimeIsRefusedWithTheDownload(string? installed, string? expected)
    {
        string? problem = VisualCppRuntime.Problem(installed is null ? null : Version.Parse(installed));
        if (expected is null) { Assert.Null(problem); return; }
        Assert.Contains(expected, problem);
        Assert.Contains(VisualCppRuntime.Download, problem);
    }

    /// <summary>The copy libtorch binds to is checked, not just the system's: a DLL already loaded in the
    /// process (Paint.NET loads its own), else the application's folder, else the system folder — each
    /// DLL (msvcp140, vcruntime140) on its own. Old loaded / new system is refused, naming the loaded file;
    /// new loaded / old system passes; an old copy in Paint.NET's folder is refused though the system's is new.</summary>
    [Theory]
    [InlineData("msvcp140.dll=14.38.33135@loaded msvcp140.dll=14.44.35211@system vcruntime140.dll=14.44.35211@system",
        "msvcp140.dll is 14.38.33135 (already loaded from C:/paint.net")]
    [InlineData("msvcp140.dll=14.44.35211@loaded msvcp140.dll=14.29.30139@system vcruntime140.dll=14.44.35211@system", null)]
    [InlineData("msvcp140.dll=14.38.33135@app msvcp140.dll=14.44.35211@system vcruntime140.dll=14.44.35211@system",
        "msvcp140.dll is 14.38.33135 (in C:/paint.net")]
    [InlineData("msvcp140.dll=14.44.35211@system vcruntime140.dll=14.36.32532@loaded", "vcruntime140.dll is 14.36.32532 (already loaded")]
    [InlineData("msvcp140.dll=14.44.35211@system vcruntime140.dll=14.44.35211@system", null)]
    [InlineData("vcruntime140.dll=14.44.35211@system", "is not installed")]
    public void TheRuntimeCopyLibtorchWouldLoadIsChecked(string copies, string? expected)
    {
        string? problem = VisualCppRuntime.Problem(new FakeRuntime(copies));
        if (expected is null) { Assert.Null(problem); return; }
        Assert.Contains(expected, problem);
        Assert.Contains(VisualCppRuntime.Download, problem);
    }

    /// <summary>The runtime's DLLs as "name=version@place" (place: loaded, app, system), space-separated.</summary>
    sealed class FakeRuntime : VisualCppRuntime.ISource
    {
        readonly Dictionary<string, Version> _files = [];
        readonly Dictionary<string, string> _loaded = [];

        public FakeRuntime(string copies)
        {
            foreach (var copy in copies.Split(' '))
            {
                var parts = copy.Split('=', '@');
                string path = Path.Combine(parts[2] == "system" ? SystemFolder : ApplicationFolder, parts[0]);
                _files[path] = Version.Parse(parts[1]);
                if (parts[2] == "loaded") _loaded[parts[0]] = path;
            }
        }

        public string ApplicationFolder => "C:/paint.net";
        public string SystemFolder => "C:/Windows/System32";
        public string? LoadedFile(string dll) => _loaded.GetValueOrDefault(dll);
        public bool Exists(string path) => _files.ContainsKey(path);
        public Version? FileVersion(string path) => _files.GetValueOrDefault(path);
    }
}
