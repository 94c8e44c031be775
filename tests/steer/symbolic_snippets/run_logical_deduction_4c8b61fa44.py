def check_correct(obj):
    if obj == "D":
        return "The crow is the rightmost"
    elif obj == "B":
        return "The cardinal is the rightmost"
    elif obj == "C":
        return "The cardinal is the rightmost"
    else:
        return "The owl is the rightmost"

check_correct(1)
