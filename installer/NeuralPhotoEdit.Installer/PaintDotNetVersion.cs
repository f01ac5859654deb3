using System.Reflection;

namespace NeuralPhotoEdit.Installer;

/// <summary>
/// Which Paint.NET an install folder holds, read from its effect API assembly's version: Paint.NET
/// numbers its 5.1.x assemblies 5.10x (5.1.8 ships 5.108.9270.41195), 5.2 as 5.2xx. The plugin is
/// built against Paint.NET 5.1's API and .NET 9, which Paint.NET 5.1 brings with it, so 5.1 is the
/// oldest that loads it; an older one fails to load the plugin with a missing-assembly error.
/// </summary>
public static class PaintDotNetVersion
{
    public const string ApiAssembly = "PaintDotNet.Effects.Core.dll";
    public const string Download = "https://www.getpaint.net/download.html";

    /// <summary>The version of the effect API assembly in <paramref name="folder"/>, or null when there
    /// is none or it can't be read (the Microsoft Store's install folder, for one).</summary>
    public static Version? Read(string folder)
    {
        string path = Path.Combine(folder, ApiAssembly);
        try { return File.Exists(path) ? AssemblyName.GetAssemblyName(path).Version : null; }
        catch (Exception e) when (e is BadImageFormatException or IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>"5.1.8" for 5.108, "5.0.13" for 5.13.</summary>
    public static string Friendly(Version version) => $"{version.Major}.{version.Minor / 100}.{version.Minor % 100}";

    /// <summary>Why this Paint.NET can't load the plugin, or null when it can (or its version is unknown).</summary>
    public static string? Problem(Version? version) =>
        version is null || version.Major > 5 || (version.Major == 5 && version.Minor >= 100)
            ? null
            : $"Neural Photo Edit needs Paint.NET 5.1 or newer (with the .NET 9 it brings); this is Paint.NET " +
                $"{(version.Major == 5 ? Friendly(version) : version.ToString(2))}. Update it from {Download}";
}
