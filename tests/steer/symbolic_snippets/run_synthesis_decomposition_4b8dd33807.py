def process_XiaoLi(xiao_li):
    if xiao_li == 1:
        return [1, 0, 2, 3]
    elif xiao_li == 2:
        return [1, 0, 2, 3]
