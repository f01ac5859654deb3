using System.Runtime.InteropServices;

namespace NeuralPhotoEdit;

/// <summary>
/// Environment variables for native libraries (oneDNN, OpenMP) that read them once, when they load.
/// Set before libtorch loads, and only when the user hasn't set them. On Unix the native environment
/// is libc's, which .NET's Environment.SetEnvironmentVariable does not change — hence setenv.
/// </summary>
static class NativeEnvironment
{
    public static void SetIfUnset(string name, string value)
    {
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(name))) return;
        if (OperatingSystem.IsWindows()) Environment.SetEnvironmentVariable(name, value);
        else SetNative(name, value, 1);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    static extern int SetNative(string name, string value, int overwrite);
}
