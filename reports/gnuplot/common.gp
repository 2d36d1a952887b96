# Shared by every smclat plot: the terminal from `term` ("png" or "svg") and `out`.
if (term eq "svg") {
    set terminal svg size 900,540 dynamic font "sans,12" background "white"
} else {
    set terminal pngcairo size 900,540 font "sans,10"
}
set output out
set termoption noenhanced
set grid
set key outside right top
