#!/usr/bin/env bash
# Builds artifacts/NeuralPhotoEdit-<version>-win-x64.zip: the plugin folder NeuralPhotoEdit/ (plugin,
# its .deps.json, TorchSharp + libtorch CPU and SkiaSharp native DLLs for win-x64, flat, the default
# model, licences and attribution) and NeuralPhotoEdit.Installer.exe (self-contained, single file).
# Works on Linux and Windows (bash). Needs only the .NET SDK; NuGet restore brings everything else.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
version="$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' "$root/Directory.Build.props")"
stage="$root/artifacts/package"
plugin="$stage/NeuralPhotoEdit"
zip="$root/artifacts/NeuralPhotoEdit-$version-win-x64.zip"
rm -rf "$stage" "$zip"
mkdir -p "$plugin"

echo "== Publishing the plugin for win-x64"
dotnet publish "$root/plugin/NeuralPhotoEdit.Plugin/NeuralPhotoEdit.Plugin.csproj" -c Release -r win-x64 \
  --self-contained false -o "$plugin" --nologo -v quiet -clp:ErrorsOnly
# Our own symbols stay (small; line numbers in the log). SkiaSharp's 84 MB native symbols are dropped by the plugin's project.
cp "$root/LICENSE" "$plugin/LICENSE.txt"
cp "$root/model/NeuralPhotoEdit/Models/MODEL_CARD.md" "$plugin/models/MODEL_CARD.md"
cp "$root/model/NeuralPhotoEdit/Models/ATTRIBUTION.md" "$plugin/models/ATTRIBUTION.md"
packages="$(dotnet nuget locals global-packages -l | sed 's/^global-packages: //')"
cp "$packages/libtorch-cpu-win-x64/2.10.0/LICENSE-LIBTORCH.txt" "$plugin/LICENSE-LIBTORCH.txt"

echo "== Publishing the installer (self-contained, single file)"
dotnet publish "$root/installer/NeuralPhotoEdit.Installer/NeuralPhotoEdit.Installer.csproj" -c Release -r win-x64 \
  --self-contained true -p:PublishSingleFile=true -o "$stage/installer" --nologo -v quiet -clp:ErrorsOnly
cp "$stage/installer/NeuralPhotoEdit.Installer.exe" "$stage/"
rm -rf "$stage/installer"
cp "$root/installer/README-package.txt" "$stage/README.txt"

echo "== Checking the package against NuGet's win-x64 runtime assets"
dotnet build "$root/installer/NeuralPhotoEdit.Installer/NeuralPhotoEdit.Installer.csproj" -c Release --nologo -v quiet -clp:ErrorsOnly
dotnet "$root/installer/NeuralPhotoEdit.Installer/bin/Release/net10.0/NeuralPhotoEdit.Installer.dll" \
  --verify-package "$plugin" "$root/plugin/NeuralPhotoEdit.Plugin/obj/project.assets.json"

echo "== Zipping"
(cd "$stage" && python3 -m zipfile -c "$zip" README.txt NeuralPhotoEdit NeuralPhotoEdit.Installer.exe)
echo "Built $zip ($(du -h "$zip" | cut -f1))"
