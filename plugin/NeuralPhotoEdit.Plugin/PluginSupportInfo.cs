using System.Reflection;
using PaintDotNet;

namespace NeuralPhotoEdit.Plugin;

/// <summary>What Paint.NET shows about the plugin in its plugin-error and plugin-list dialogs: its name,
/// authors, copyright and version (from the build's assembly attributes). No website: the project has no
/// public page yet.</summary>
public sealed class PluginSupportInfo : IPluginSupportInfo
{
    static readonly Assembly Plugin = typeof(PluginSupportInfo).Assembly;

    public string? DisplayName => NeuralPhotoEditEffect.DisplayName;
    public string? Author => Plugin.GetCustomAttribute<AssemblyCompanyAttribute>()?.Company;
    public string? Copyright => Plugin.GetCustomAttribute<AssemblyCopyrightAttribute>()?.Copyright;
    public Version? Version => Plugin.GetName().Version;
    public Uri? WebsiteUri => null;
}
